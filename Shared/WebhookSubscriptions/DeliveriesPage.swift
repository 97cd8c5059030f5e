import Admin
import FunctionKit

/// The outbound side of the logs viewer, as one self-contained page at
/// `/api/admin/webhooks/viewer`: every subscription with its state and counters, and under
/// each its last 50 deliveries (event, attempt, status, HTTP code, time taken, error, the
/// answer's first bytes), with buttons to retry a failed delivery and re-enable a subscription.
/// Like the logs viewer it asks for an admin key (scope `webhooks:manage`), kept in this tab's
/// sessionStorage or passed as `#key=...`, which never reaches the server.
enum DeliveriesPage {
    static var response: Response { AdminPage.response(html) }

    static let html = AdminPage.document(
        title: "Webhook deliveries",
        body: #"""
        <h1>Webhook deliveries</h1>
        <form id="filters">
          <label>Admin key <input id="key" type="password" autocomplete="off" placeholder="lw_…" size="20"></label>
          <button type="submit" id="refresh">Refresh</button>
        </form>
        <p id="message" role="status">Enter an admin key with the webhooks:manage scope.</p>
        <div id="subscriptions"></div>
        <script>
        (function () {
          "use strict";
          var api = location.pathname.replace(/\/viewer\/?$/, "");
          var list = document.getElementById("subscriptions");
          var message = document.getElementById("message");
          var keyInput = document.getElementById("key");

          var fromFragment = /(?:^|[#&])key=([^&]+)/.exec(location.hash);
          if (fromFragment) { sessionStorage.setItem("leadwire-admin-key", decodeURIComponent(fromFragment[1])); history.replaceState(null, "", location.pathname); }
          keyInput.value = sessionStorage.getItem("leadwire-admin-key") || "";

          function element(tag, text, className) {
            var node = document.createElement(tag);
            if (text != null) node.textContent = String(text);
            if (className) node.className = className;
            return node;
          }

          function badge(text, kind) { return element("span", text, "badge " + kind); }

          function call(method, path) {
            return fetch(api + path, { method: method, headers: { "Authorization": "Bearer " + keyInput.value.trim() } })
              .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
              .then(function (answer) {
                if (!answer.ok) throw new Error(answer.body.error ? answer.body.error.message : "request failed");
                return answer.body;
              });
          }

          function fail(error) { message.className = "error"; message.textContent = error.message; }

          function deliveriesTable(webhook) {
            var table = element("table");
            var head = element("tr");
            ["Sent (UTC)", "Event", "Attempt", "Status", "HTTP", "Time", "Error / answer", ""].forEach(function (title) { head.appendChild(element("th", title)); });
            table.appendChild(element("thead")).appendChild(head);
            var body = table.appendChild(element("tbody"));
            webhook.deliveries.forEach(function (delivery) {
              var tr = element("tr");
              tr.dataset.deliveryId = delivery.id;
              tr.appendChild(element("td", delivery.createdAt));
              tr.appendChild(element("td", delivery.event));
              tr.appendChild(element("td", delivery.attempt));
              tr.appendChild(element("td")).appendChild(badge(delivery.status, "status-" + delivery.status));
              tr.appendChild(element("td", delivery.httpStatus == null ? "" : delivery.httpStatus));
              tr.appendChild(element("td", delivery.durationMs + " ms"));
              var detail = tr.appendChild(element("td"));
              if (delivery.error) detail.appendChild(element("div", delivery.error, "status-error"));
              if (delivery.responseBody) detail.appendChild(element("pre", delivery.responseBody));
              var action = tr.appendChild(element("td"));
              if (delivery.status === "failed" && delivery.messageStatus === "failed") {
                var retry = action.appendChild(element("button", "Retry", "secondary"));
                retry.type = "button";
                retry.addEventListener("click", function () {
                  call("POST", "/" + webhook.id + "/deliveries/" + delivery.id + "/retry").then(function () { load(); }).catch(fail);
                });
              }
              body.appendChild(tr);
            });
            if (webhook.deliveries.length === 0) body.appendChild(element("tr")).appendChild(element("td", "No deliveries yet.", "muted"));
            return table;
          }

          function render(webhook) {
            var section = element("section");
            section.dataset.webhookId = webhook.id;
            var title = section.appendChild(element("h2", webhook.name + " "));
            title.appendChild(webhook.active ? badge("active", "status-success") : badge("disabled", "state-disabled"));
            section.appendChild(element("p", webhook.url + " · " + webhook.events.join(", "), "muted"));
            section.appendChild(element("p",
              webhook.successCount + " delivered, " + webhook.failedCount + " failed" +
              (webhook.lastDeliveryAt ? ", last " + webhook.lastDeliveryStatus + " at " + webhook.lastDeliveryAt : "") +
              (webhook.disabledReason ? ". Switched off: " + webhook.disabledReason : "")));
            if (!webhook.active) {
              var enable = section.appendChild(element("button", "Re-enable", "secondary"));
              enable.type = "button";
              enable.addEventListener("click", function () {
                fetch(api + "/" + webhook.id, { method: "PATCH", headers: { "Authorization": "Bearer " + keyInput.value.trim(), "Content-Type": "application/json" }, body: "{\"active\":true}" })
                  .then(function () { load(); }).catch(fail);
              });
            }
            section.appendChild(deliveriesTable(webhook));
            list.appendChild(section);
          }

          function load() {
            var key = keyInput.value.trim();
            if (!key) { message.textContent = "Enter an admin key with the webhooks:manage scope."; return; }
            sessionStorage.setItem("leadwire-admin-key", key);
            message.className = ""; message.textContent = "Loading…";
            call("GET", "")
              .then(function (body) { return Promise.all(body.webhooks.map(function (webhook) { return call("GET", "/" + webhook.id); })); })
              .then(function (answers) {
                list.textContent = "";
                answers.forEach(function (answer) { render(answer.webhook); });
                message.textContent = answers.length === 0 ? "No subscriptions yet." : answers.length + (answers.length === 1 ? " subscription." : " subscriptions.");
              })
              .catch(fail);
          }

          document.getElementById("filters").addEventListener("submit", function (event) { event.preventDefault(); load(); });
          if (keyInput.value) load();
        })();
        </script>
        """#)
}
