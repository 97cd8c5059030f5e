import Admin
import FunctionKit

/// The dashboard as one self-contained page: its own script draws the charts as SVG from
/// `/api/admin/stats`, each bar with a title that gives its bucket, series and number (what a
/// screen reader reads, and what the tests check). Nothing is loaded from elsewhere. It asks for
/// a key with the stats:read scope (kept in this tab's sessionStorage, or passed as `#key=…`,
/// which never reaches the server); `#from=…&to=…&bucket=…` choose the range.
enum DashboardPage {
    static var response: Response { AdminPage.response(html) }

    static let html = AdminPage.document(
        title: "Dashboard",
        body: #"""
        <style>
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 12px; margin-top: 12px; }
        section { background: #fff; border: 1px solid #d9e2ec; border-radius: 8px; padding: 12px; }
        h2 { font-size: 15px; margin: 0 0 8px; }
        svg { width: 100%; height: auto; }
        .legend { display: flex; gap: 12px; font-size: 12px; color: #52606d; flex-wrap: wrap; }
        .legend i { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 4px; }
        .figure { font-size: 13px; color: #52606d; margin: 6px 0 0; }
        </style>
        <h1>Dashboard</h1>
        <form id="range">
          <label>Admin key <input id="key" type="password" autocomplete="off" placeholder="lw_…" size="20"></label>
          <label>From <input id="from" type="date"></label>
          <label>To <input id="to" type="date"></label>
          <label>Per <select id="bucket"><option>day</option><option>week</option></select></label>
          <button type="submit">Show</button>
        </form>
        <p id="message" role="status">Enter an admin key with the stats:read scope.</p>
        <div class="charts" id="charts"></div>
        <script>
        (function () {
          "use strict";
          var api = location.pathname.replace(/\/dashboard\/?$/, "/stats");
          var svgNS = "http://www.w3.org/2000/svg";
          var charts = document.getElementById("charts");
          var message = document.getElementById("message");
          var fields = { key: document.getElementById("key"), from: document.getElementById("from"), to: document.getElementById("to"), bucket: document.getElementById("bucket") };

          var given = new URLSearchParams(location.hash.replace(/^#/, ""));
          if (given.get("key")) { sessionStorage.setItem("leadwire-admin-key", given.get("key")); given.delete("key"); history.replaceState(null, "", location.pathname + (given.toString() ? "#" + given.toString() : "")); }
          fields.key.value = sessionStorage.getItem("leadwire-admin-key") || "";
          ["from", "to", "bucket"].forEach(function (name) { if (given.get(name)) fields[name].value = given.get(name); });

          function element(name, attributes, text) {
            var node = document.createElementNS(svgNS, name);
            Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
            if (text != null) node.textContent = text;
            return node;
          }

          function section(title) {
            var box = document.createElement("section");
            var heading = document.createElement("h2");
            heading.textContent = title;
            box.appendChild(heading);
            charts.appendChild(box);
            return box;
          }

          // Grouped bars, one group per bucket; every bar's title is "bucket · series: value".
          function barChart(title, labels, series) {
            var box = section(title);
            var legend = document.createElement("div");
            legend.className = "legend";
            series.forEach(function (one) { var item = document.createElement("span"); item.innerHTML = "<i></i>"; item.firstChild.style.background = one.color; item.appendChild(document.createTextNode(one.name)); legend.appendChild(item); });
            box.appendChild(legend);
            var width = 560, height = 200, left = 36, bottom = 22;
            var max = 1;
            series.forEach(function (one) { one.values.forEach(function (value) { if (value > max) max = value; }); });
            var svg = element("svg", { viewBox: "0 0 " + width + " " + (height + bottom), role: "img", "aria-label": title });
            svg.appendChild(element("title", {}, title));
            svg.appendChild(element("line", { x1: left, y1: height, x2: width, y2: height, stroke: "#9aa5b1" }));
            svg.appendChild(element("text", { x: 2, y: 10, "font-size": 10, fill: "#52606d" }, String(max)));
            svg.appendChild(element("text", { x: 2, y: height, "font-size": 10, fill: "#52606d" }, "0"));
            var groupWidth = (width - left) / Math.max(1, labels.length);
            var barWidth = Math.max(1, (groupWidth - 2) / series.length);
            labels.forEach(function (label, index) {
              series.forEach(function (one, which) {
                var value = one.values[index] || 0;
                var barHeight = value / max * (height - 14);
                var bar = element("rect", { x: (left + index * groupWidth + 1 + which * barWidth).toFixed(1), y: (height - barHeight).toFixed(1), width: barWidth.toFixed(1), height: barHeight.toFixed(1), fill: one.color, "data-series": one.name, "data-bucket": label, "data-value": value });
                bar.appendChild(element("title", {}, label + " · " + one.name + ": " + value + (one.amounts ? " (amount " + one.amounts[index] + ")" : "")));
                svg.appendChild(bar);
              });
              if (labels.length <= 16 || index % Math.ceil(labels.length / 8) === 0) {
                svg.appendChild(element("text", { x: (left + index * groupWidth).toFixed(1), y: height + 14, "font-size": 9, fill: "#52606d" }, label.slice(5)));
              }
            });
            box.appendChild(svg);
            var sum = document.createElement("p");
            sum.className = "figure";
            sum.textContent = series.map(function (one) { return one.name + ": " + one.values.reduce(function (a, b) { return a + b; }, 0); }).join(" · ");
            box.appendChild(sum);
          }

          function table(title, headings, rows) {
            var box = section(title);
            if (rows.length === 0) { var none = document.createElement("p"); none.className = "figure"; none.textContent = "Nothing in this range."; box.appendChild(none); return; }
            var grid = document.createElement("table");
            var head = grid.createTHead().insertRow();
            headings.forEach(function (text) { var th = document.createElement("th"); th.textContent = text; head.appendChild(th); });
            var body = grid.createTBody();
            rows.forEach(function (cells) { var row = body.insertRow(); cells.forEach(function (text) { row.insertCell().textContent = text == null ? "–" : String(text); }); });
            box.appendChild(grid);
          }

          function draw(stats) {
            charts.textContent = "";
            var labels = stats.buckets;
            barChart("Leads per " + stats.bucket, labels, [
              { name: "Kommo new", values: stats.leads.kommo.new, color: "#2f80ed" },
              { name: "Knowlarity new", values: stats.leads.knowlarity.new, color: "#27ae60" },
              { name: "Knowlarity repeat", values: stats.leads.knowlarity.repeat, color: "#f2c94c" }]);
            barChart("Won deals per " + stats.bucket, labels, [
              { name: "traffic", values: stats.sales.traffic.count, amounts: stats.sales.traffic.amount, color: "#0d47a1" },
              { name: "referral", values: stats.sales.referral.count, amounts: stats.sales.referral.amount, color: "#6a1b9a" },
              { name: "both", values: stats.sales.both.count, amounts: stats.sales.both.amount, color: "#00897b" },
              { name: "unknown", values: stats.sales.unknown.count, color: "#9aa5b1" }]);
            barChart("Calls per " + stats.bucket, labels, [
              { name: "answered", values: stats.calls.answered, color: "#27ae60" },
              { name: "missed", values: stats.calls.missed, color: "#eb5757" },
              { name: "new leads", values: stats.calls.new_leads, color: "#2f80ed" }]);
            var share = charts.lastChild.appendChild(document.createElement("p"));
            share.className = "figure";
            share.textContent = "Calls that became new leads: " + (stats.calls.new_lead_share == null ? "no calls" : Math.round(stats.calls.new_lead_share * 100) + "%");
            table("Top UTM sources", ["utm_source", "sales", "amount"], stats.top_utm_sources.map(function (row) { return [row.utm_source || "(none)", row.count, row.amount]; }));
            table("Top targetologists", ["targetologist", "sales", "amount"], stats.top_targetologists.map(function (row) { return [row.targetologist, row.count, row.amount]; }));
            table("Intake health", ["source", "success", "partial", "error", "p50 ms", "p95 ms"], stats.intake.map(function (row) { return [row.source, row.requests.success, row.requests.partial, row.requests.error, row.p50_ms, row.p95_ms]; }));
            table("Outbound webhooks", ["subscription", "active", "delivered", "failed", "pending"], stats.outbound.subscriptions.map(function (row) { return [row.name, row.active ? "yes" : "no", row.delivered, row.failed, row.pending]; }));
            var pending = charts.lastChild.appendChild(document.createElement("p"));
            pending.className = "figure";
            pending.textContent = stats.outbound.pending === 0 ? "Nothing waiting to be sent." : stats.outbound.pending + (stats.outbound.pending === 1 ? " message" : " messages") + " waiting; the oldest since " + stats.outbound.oldest_pending_at + " (" + stats.outbound.oldest_pending_age_seconds + " s).";
          }

          function load() {
            var key = fields.key.value.trim();
            if (!key) { message.textContent = "Enter an admin key with the stats:read scope."; return; }
            sessionStorage.setItem("leadwire-admin-key", key);
            var params = new URLSearchParams();
            ["from", "to", "bucket"].forEach(function (name) { if (fields[name].value) params.set(name, fields[name].value); });
            message.className = ""; message.textContent = "Loading…";
            fetch(api + "?" + params.toString(), { headers: { "Authorization": "Bearer " + key } })
              .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
              .then(function (answer) {
                if (!answer.ok) { throw new Error(answer.body.error ? answer.body.error.message : "request failed"); }
                fields.from.value = answer.body.from; fields.to.value = answer.body.to;
                draw(answer.body);
                message.textContent = "From " + answer.body.from + " to " + answer.body.to + " (" + answer.body.time_zone + "), per " + answer.body.bucket + ".";
              })
              .catch(function (error) { message.className = "error"; message.textContent = error.message; });
          }

          document.getElementById("range").addEventListener("submit", function (event) { event.preventDefault(); load(); });
          if (fields.key.value) load();
        })();
        </script>
        """#)
}
