// The benchmarks' Deno baseline: kommo-webhook's job written the way a Supabase Edge Function
// or a small Deno service would do it, on the same SQLite database Leadwire migrated, with the
// same work per request: parse the form body into nested leads, read each lead's stored version,
// insert or update it when the incoming version is newer, and log the request (raw body, parsed
// payload, results) in one transaction, then answer with the status, log id and results.
//
// Usage: deno run --allow-net --allow-read --allow-write --allow-env kommo_webhook_deno.ts PORT DATABASE SYNCHRONOUS
import { DatabaseSync } from "node:sqlite";

const [port, path, synchronous] = Deno.args;
const db = new DatabaseSync(path);
db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = ${synchronous === "full" ? "FULL" : "NORMAL"}; PRAGMA busy_timeout = 5000;`);

const stored = db.prepare("SELECT crm_updated_at FROM kommo_leads WHERE kommo_id = ? AND account_id IN (?, 0) ORDER BY account_id DESC LIMIT 1");
const insertLead = db.prepare(
  `INSERT INTO kommo_leads (id, account_id, account_subdomain, kommo_id, name, status_id, pipeline_id, responsible_user_id, price,
     event_type, is_deleted, raw_data, crm_updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
);
const updateLead = db.prepare(
  `UPDATE kommo_leads SET name = ?, status_id = ?, pipeline_id = ?, responsible_user_id = ?, price = ?, event_type = ?, raw_data = ?,
     crm_updated_at = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE account_id = ? AND kommo_id = ?`,
);
const insertLog = db.prepare(
  `INSERT INTO kommo_webhook_logs (id, event_type, payload, results, status, account_id, account_subdomain, content_type, raw_body,
     created_at, processed_at, processing_ms) VALUES (?, ?, ?, ?, 'success', ?, ?, ?, ?, ?, ?, ?)`,
);

// PHP-style nested keys: leads[add][0][custom_fields][0][values][0][value]=...
function nest(form: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [name, value] of form) {
    const path = name.replace(/\]/g, "").split("[");
    let node = root as Record<string, unknown>;
    path.forEach((key, level) => {
      if (level === path.length - 1) node[key] = value;
      else node = (node[key] ??= {}) as Record<string, unknown>;
    });
  }
  return root;
}

const number = (value: unknown) => (value === undefined ? null : Number(value));

Deno.serve({ port: Number(port), hostname: "127.0.0.1" }, async (request) => {
  if (request.method !== "POST") return new Response("method not allowed", { status: 405 });
  const started = performance.now();
  const receivedAt = new Date().toISOString();
  const raw = await request.text();
  const payload = nest(new URLSearchParams(raw));
  const account = payload.account as Record<string, string> | undefined;
  const accountID = Number(account?.id ?? 0);
  const results: unknown[] = [];
  db.exec("BEGIN IMMEDIATE");
  try {
    for (const [event, items] of Object.entries((payload.leads ?? {}) as Record<string, Record<string, Record<string, string>>>)) {
      for (const item of Object.values(items)) {
        const id = Number(item.id);
        const version = number(item.updated_at);
        const row = stored.get(id, accountID) as { crm_updated_at: number } | undefined;
        const fields = [item.name, number(item.status_id), number(item.pipeline_id), number(item.responsible_user_id), number(item.price)];
        let outcome = "stale";
        if (!row) {
          insertLead.run(crypto.randomUUID(), accountID, account?.subdomain ?? null, id, ...fields, event, JSON.stringify(item), version);
          outcome = "inserted";
        } else if (version !== null && version > row.crm_updated_at) {
          updateLead.run(...fields, event, JSON.stringify(item), version, accountID, id);
          outcome = "updated";
        }
        results.push({ entity: "leads", action: event, kommo_id: id, outcome });
      }
    }
    const logID = crypto.randomUUID();
    insertLog.run(logID, Object.keys(payload.leads ?? {}).join(","), JSON.stringify(payload), JSON.stringify(results), accountID,
      account?.subdomain ?? null, request.headers.get("content-type"), raw, receivedAt, new Date().toISOString(),
      Math.round(performance.now() - started));
    db.exec("COMMIT");
    return Response.json({ status: "success", log_id: logID, results });
  } catch (error) {
    db.exec("ROLLBACK");
    return Response.json({ error: String(error) }, { status: 503 });
  }
});
