"""The partner API's own views: the key calling, problem pages, docs, the admin's key pages."""
