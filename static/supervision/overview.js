// The overview's charts, drawn from the figures the page carries in its json_script
// (#overview-data): the same numbers as its tables. No text here: the labels come with them.
(function () {
  "use strict";
  var source = document.getElementById("overview-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var labels = data.labels;
  var colours = {
    approved: "#2e7d32",
    rejected: "#c62828",
    review: "#f9a825",
    pending: "#1565c0",
    cancelled: "#757575"
  };
  var outcomes = ["approved", "rejected", "review", "pending", "cancelled"];

  function draw(id, config) {
    var canvas = document.getElementById(id);
    if (canvas && config.data.labels.length === 0) {
      canvas.parentNode.hidden = true; // nothing to draw: the table says so
      return;
    }
    if (canvas) {
      config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
      new window.Chart(canvas, config);
    }
  }

  function series(rows, keys) {
    return keys.map(function (key) {
      return {
        label: labels[key],
        backgroundColor: colours[key],
        data: rows.map(function (row) { return row[key]; })
      };
    });
  }

  draw("chart-by-day", {
    type: "bar",
    data: {
      labels: data.by_day.map(function (day) { return day.date; }),
      datasets: series(data.by_day, outcomes)
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
  });

  draw("chart-reasons", {
    type: "bar",
    data: {
      labels: data.reasons.map(function (row) { return row.reason; }),
      datasets: series(data.reasons, ["rejected", "approved"])
    },
    options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true }, y: { stacked: true } } }
  });

  draw("chart-operators", {
    type: "bar",
    data: {
      labels: data.by_operator.map(function (row) { return row.name; }),
      datasets: series(data.by_operator, ["approved", "rejected", "review", "pending"])
    },
    options: { scales: { y: { beginAtZero: true } } }
  });
})();
