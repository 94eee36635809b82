"""The biometric consent notice the subscriber reads, as published: one reviewed wording per
version and language, never edited once in use (a change is a new version).

Not in the translation catalogue on purpose: a catalogue may change a sentence at any time,
and a consent must say exactly which words the person agreed to. Each consent records the
version, the language shown and the digest of that text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

CHINESE = "zh-hans"
ENGLISH = "en"
LANGUAGES = (CHINESE, ENGLISH)


@dataclass(frozen=True)
class ConsentNotice:
    version: str
    language: str
    title: str
    intro: str
    points: tuple[str, ...]

    @property
    def digest(self) -> str:
        """SHA-256 of the text as shown: what a consent record says was read."""
        text = "\n".join((self.version, self.language, self.title, self.intro, *self.points))
        return hashlib.sha256(text.encode()).hexdigest()


_NOTICES = (
    # The first wording: English only, its Chinese came from the translation catalogue.
    ConsentNotice(
        version="2026-11",
        language=ENGLISH,
        title="Notice to the subscriber (version 2026-11)",
        intro=(
            "To register a phone number in your name, the law requires us to check that you "
            "are the person on your ID card. We will record a short video of your face while "
            "you blink and turn your head, and compare it with the photo on your ID card."
        ),
        points=(
            "Your face is compared only with your own ID photo (1:1). It is never searched "
            "against other people.",
            "The video, the ID photo and the pictures taken from them are stored encrypted "
            "and kept only as long as the rules require.",
            "Only the operator's reviewers and the ministry's inspectors may look at them, "
            "each time for a stated reason, and every look is recorded.",
            "You may refuse. Without this check the number cannot be registered at an outlet.",
        ),
    ),
    # Reviewed in both languages; the Chinese is the text of record.
    ConsentNotice(
        version="2026-12",
        language=CHINESE,
        title="人脸识别核验单独同意书（版本 2026-12）",
        intro=(
            "根据电话用户真实身份信息登记的规定，以您的名义办理手机号码入网，须核实您是所持身份证件"
            "上的本人。为此需要处理您的人脸信息。人脸信息属于敏感个人信息，只有在您单独同意后，"
            "我们才会处理。"
        ),
        points=(
            "处理目的：仅用于核实办理入网的是证件上的本人，不用于其他任何目的。",
            "处理方式：录制一段您眨眼、转头的短视频，将其中的人脸与您证件上的照片进行一比一比对；"
            "不会与其他任何人的人脸进行检索比对。",
            "保存期限：视频、证件照片及从中截取的图像均加密存储，仅保存规定要求的期限，期满即删除。",
            "查看记录：仅运营商的审核员和主管部门的监管检查员可以查看，每次查看均须说明原因并留有"
            "记录；您可以查询谁在何时、因何查看了您的信息。",
            "您的权利：您可以拒绝，拒绝后该号码无法登记在您的名下；对法律未要求保存的信息，"
            "您可以撤回同意。",
            "处理者：为您办理入网的电信运营商。",
        ),
    ),
    ConsentNotice(
        version="2026-12",
        language=ENGLISH,
        title="Separate consent to face verification (version 2026-12)",
        intro=(
            "Under the rules on real-name registration of telephone users, a mobile number "
            "can be registered in your name only after checking that you are the person on "
            "your ID document. This needs your face data. Face data is sensitive personal "
            "information: we process it only with your separate consent."
        ),
        points=(
            "Purpose: only to check that the person registering is the person on the ID, "
            "and for nothing else.",
            "How: a short video of you blinking and turning your head; the face in it is "
            "compared one to one with the photo on your ID. It is never searched against "
            "anyone else's face.",
            "Keeping: the video, the ID photo and the pictures taken from them are stored "
            "encrypted, kept only as long as the rules require, then deleted.",
            "Who looks: only the operator's reviewers and the ministry's inspectors, each "
            "time for a stated reason, and every look is recorded; you can see who looked, "
            "when and why.",
            "Your rights: you may refuse, and then the number cannot be registered in your "
            "name; you may withdraw your consent for anything the law does not require us "
            "to keep.",
            "Controller: the telecom operator registering your number.",
        ),
    ),
)

NOTICES: dict[tuple[str, str], ConsentNotice] = {
    (notice.version, notice.language): notice for notice in _NOTICES
}


def notice_languages(version: str) -> tuple[str, ...]:
    return tuple(language for language in LANGUAGES if (version, language) in NOTICES)


def consent_notice(version: str, language: str | None) -> ConsentNotice | None:
    """The notice of ``version`` in ``language`` (a Django language code: "zh-hans", "en",
    "zh-Hans"...), else in the version's first language; None for an unknown version."""
    wanted = (language or CHINESE).lower()
    for candidate in (wanted, *notice_languages(version)):
        if (version, candidate) in NOTICES:
            return NOTICES[(version, candidate)]
    return None
