import Admin
import FunctionCatalog
import FunctionKit

/// Seed 001's WebhookLogsViewer as one self-contained page: no build step, nothing loaded from
/// elsewhere. The page holds no data; it asks for an admin key (kept in this browser tab's
/// sessionStorage, or passed as `#key=...`, which never reaches the server) and reads the JSON API.
enum ViewerPage {
    static var response: Response { AdminPage.response(html) }

    static let html = AdminPage.document(
        title: "Webhook logs",
        body: #"""
        <h1>Webhook logs</h1>
        <form id="filters">
          <label>Admin key <input id="key" type="password" autocomplete="off" placeholder="lw_…" size="20"></label>
          <label>Source <select id="source"><option value="">any</option>\#(Catalog.logSources.map { "<option>\($0)</option>" }.joined())</select></label>
          <label>Status <select id="status"><option value="">any</option><option>success</option><option>error</option><option>partial</option></select></label>
          <label>Routing <select id="routing"><option value="">any</option><option>referral</option><option>traffic</option><option>both</option><option>unknown</option></select></label>
          <label>Lead id <input id="lead_id" inputmode="numeric" size="10"></label>
          <label>Search <input id="q" size="14"></label>
          <label>Since (UTC) <input id="since" type="date"></label>
          <button type="submit" id="refresh">Refresh</button>
          <label><input id="auto" type="checkbox"> Refresh every 10 s</label>
        </form>
        <p id="message" role="status">Enter an admin key with the logs:read scope.</p>
        <table>
          <thead><tr><th>Received (UTC)</th><th>Source</th><th>Event / lead</th><th>Status</th><th>Took</th><th>Routing</th><th>UTM source</th><th>Details</th></tr></thead>
          <tbody id="rows"></tbody>
        </table>
        <p><button type="button" class="secondary" id="more" hidden>Load older</button></p>
        <script>
        (function () {
          "use strict";
          var api = location.pathname.replace(/\/viewer\/?$/, "");
          var rows = document.getElementById("rows");
          var message = document.getElementById("message");
          var more = document.getElementById("more");
          var keyInput = document.getElementById("key");
          var next = null;
          var olderShown = false;

          var fromFragment = /(?:^|[#&])key=([^&]+)/.exec(location.hash);
          if (fromFragment) { sessionStorage.setItem("leadwire-admin-key", decodeURIComponent(fromFragment[1])); history.replaceState(null, "", location.pathname); }
          keyInput.value = sessionStorage.getItem("leadwire-admin-key") || "";

          function cell(text, className) {
            var td = document.createElement("td");
            if (className) { var span = document.createElement("span"); span.className = className; span.textContent = text; td.appendChild(span); }
            else { td.textContent = text == null ? "" : String(text); }
            return td;
          }

          function render(log) {
            var tr = document.createElement("tr");
            tr.dataset.logId = log.id;
            tr.appendChild(cell(log.received_at));
            tr.appendChild(cell(log.source));
            tr.appendChild(cell([log.event_type, log.lead_id != null ? "lead " + log.lead_id : null].filter(Boolean).join(" · ")));
            tr.appendChild(cell(log.status, "badge status-" + log.status));
            tr.appendChild(cell(log.processing_ms != null ? log.processing_ms + " ms" : ""));
            tr.appendChild(log.routing_decision ? cell(log.routing_decision, "badge route-" + log.routing_decision) : cell(""));
            tr.appendChild(cell(log.utm_source || ""));
            var td = document.createElement("td");
            if (log.error_message) { var error = document.createElement("div"); error.className = "status-error"; error.textContent = log.error_message; td.appendChild(error); }
            var details = document.createElement("details");
            var summary = document.createElement("summary");
            summary.textContent = "JSON";
            var pre = document.createElement("pre");
            pre.textContent = JSON.stringify(log.payload, null, 2);
            details.appendChild(summary); details.appendChild(pre); td.appendChild(details);
            tr.appendChild(td);
            rows.appendChild(tr);
          }

          function load(append) {
            var key = keyInput.value.trim();
            if (!key) { message.textContent = "Enter an admin key with the logs:read scope."; return; }
            sessionStorage.setItem("leadwire-admin-key", key);
            // More of the same listing follows the server's next page, filters and all: the
            // form may have been edited since.
            var params = new URLSearchParams();
            ["source", "status", "routing", "lead_id", "q", "since"].forEach(function (name) {
              var value = document.getElementById(name).value.trim();
              if (value) params.set(name, value);
            });
            var query = append && next ? next : "?" + params.toString();
            message.className = ""; message.textContent = "Loading…";
            fetch(api + query, { headers: { "Authorization": "Bearer " + key } })
              .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
              .then(function (answer) {
                if (!answer.ok) { throw new Error(answer.body.error ? answer.body.error.message : "request failed"); }
                if (!append) rows.textContent = "";
                olderShown = append;
                answer.body.logs.forEach(render);
                next = answer.body.pagination.next;
                more.hidden = !answer.body.pagination.has_more;
                var shown = rows.children.length;
                message.textContent = shown === 0 ? "No logs match." : shown + (shown === 1 ? " log" : " logs") + " shown, newest first.";
              })
              .catch(function (error) { message.className = "error"; message.textContent = error.message; });
          }

          document.getElementById("filters").addEventListener("submit", function (event) { event.preventDefault(); load(false); });
          more.addEventListener("click", function () { load(true); });
          // Auto-refresh reloads the first page with the form's filters, and skips a turn while
          // the tab is hidden or older pages are open (a reload would fold them away).
          var timer = null;
          document.getElementById("auto").addEventListener("change", function (event) {
            if (timer) { clearInterval(timer); timer = null; }
            if (event.target.checked) {
              timer = setInterval(function () { if (!document.hidden && !olderShown) load(false); }, 10000);
              load(false);
            }
          });
          if (keyInput.value) load(false);
        })();
        </script>
        """#)
}
