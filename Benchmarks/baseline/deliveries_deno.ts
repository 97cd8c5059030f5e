// The delivery benchmark's Deno baseline: the outbound worker's job written the way a small
// hand-written Deno worker would do it, on the same SQLite outbox Leadwire migrated, with the
// same work per message: claim due messages under a lease, sign each body twice (the hex
// `X-Webhook-Signature` and the Standard Webhooks `webhook-signature`), POST it on kept
// connections (fetch keeps them), then record each attempt (the outbox row, a
// `webhook_deliveries` row, the subscription's counters) in one transaction per batch, with
// every commit synced as the worker's default is. It claims a batch, sends it whole, records it
// and claims the next: the plain loop such a worker is written as.
//
// Usage: WEBHOOK_SECRET=whsec_... deno run --allow-net --allow-read --allow-write --allow-env deliveries_deno.ts DATABASE CONCURRENCY
// Prints the number of attempts it recorded.
import { DatabaseSync } from "node:sqlite";

const [path, concurrency] = Deno.args;
const secret = Deno.env.get("WEBHOOK_SECRET") ?? "";
const db = new DatabaseSync(path);
db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;");

const now = () => new Date().toISOString();
const claim = db.prepare(
  `UPDATE outbox SET lease_owner = 'deno', lease_until = ? WHERE id IN (
     SELECT o.id FROM outbox o JOIN webhook_subscriptions s ON s.id = o.subscription_id
     WHERE o.status = 'pending' AND o.next_attempt_at <= ? AND (o.lease_until IS NULL OR o.lease_until <= ?) AND s.active = TRUE
       AND o.topic = 'webhook' ORDER BY o.next_attempt_at, o.id LIMIT ?)
   RETURNING id, payload, event_id, attempts, subscription_id`,
);
const subscriptionURL = db.prepare("SELECT url FROM webhook_subscriptions WHERE id = ?");
const recordMessage = db.prepare(
  `UPDATE outbox SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL,
     delivered_at = CASE WHEN ? THEN strftime('%Y-%m-%dT%H:%M:%fZ', 'now') END WHERE id = ? AND lease_owner = 'deno'`,
);
const recordDelivery = db.prepare(
  `INSERT INTO webhook_deliveries (outbox_id, subscription_id, event_id, event_type, attempt, status, http_status, response_excerpt, error, duration_ms)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const recordCounters = db.prepare(
  `UPDATE webhook_subscriptions SET success_count = success_count + ?, failed_count = failed_count + ?, last_delivery_status = ?,
     last_delivery_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?`,
);

const encoder = new TextEncoder();
const hmacKey = (bytes: Uint8Array) => crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
const hexKey = await hmacKey(encoder.encode(secret));
const standardKey = await hmacKey(Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (char) => char.charCodeAt(0)));
const base64 = (bytes: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(bytes)));
const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, "0")).join("");

type Message = { id: number; payload: string; event_id: string; attempts: number; subscription_id: string };
type Attempt = { message: Message; event: string; status: number | null; excerpt: string | null; error: string | null; ms: number };

async function deliver(message: Message, url: string): Promise<Attempt> {
  const started = performance.now();
  const event = (JSON.parse(message.payload) as { event?: string }).event ?? "webhook";
  const body = encoder.encode(message.payload);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const [plain, standard] = await Promise.all([
    crypto.subtle.sign("HMAC", hexKey, body),
    crypto.subtle.sign("HMAC", standardKey, encoder.encode(`${message.event_id}.${timestamp}.${message.payload}`)),
  ]);
  try {
    const answer = await fetch(url, {
      method: "POST",
      body,
      headers: {
        "Content-Type": "application/json", "User-Agent": "deno-baseline", "X-Webhook-Event": event, "X-Webhook-Signature": hex(plain),
        "webhook-id": message.event_id, "webhook-timestamp": timestamp, "webhook-signature": `v1,${base64(standard)}`,
      },
      signal: AbortSignal.timeout(10_000),
    });
    const excerpt = (await answer.text()).slice(0, 1024);
    return { message, event, status: answer.status, excerpt, error: null, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { message, event, status: null, excerpt: null, error: String(error), ms: Math.round(performance.now() - started) };
  }
}

let recorded = 0;
while (true) {
  const nowText = now();
  db.exec("BEGIN IMMEDIATE");
  const claimed = claim.all(new Date(Date.now() + 60_000).toISOString(), nowText, nowText, Number(concurrency)) as Message[];
  db.exec("COMMIT");
  if (claimed.length === 0) break;
  const urls = new Map<string, string>();
  for (const message of claimed) {
    if (!urls.has(message.subscription_id)) {
      urls.set(message.subscription_id, (subscriptionURL.get(message.subscription_id) as { url: string }).url);
    }
  }
  const attempts = await Promise.all(claimed.map((message) => deliver(message, urls.get(message.subscription_id)!)));
  db.exec("BEGIN IMMEDIATE");
  const counters = new Map<string, { delivered: number; failed: number; last: boolean }>();
  for (const { message, event, status, excerpt, error, ms } of attempts) {
    const delivered = error === null && status !== null && status >= 200 && status < 300;
    const retryAt = new Date(Date.now() + (delivered ? 0 : 60_000)).toISOString();
    recordMessage.run(delivered ? "delivered" : "pending", retryAt, error ?? (delivered ? null : `HTTP ${status}`), delivered ? 1 : 0,
      message.id);
    recordDelivery.run(message.id, message.subscription_id, message.event_id, event, message.attempts + 1, delivered ? "success" : "failed",
      status, excerpt, error, ms);
    const tally = counters.get(message.subscription_id) ?? { delivered: 0, failed: 0, last: false };
    tally.delivered += delivered ? 1 : 0;
    tally.failed += delivered ? 0 : 1;
    tally.last = delivered;
    counters.set(message.subscription_id, tally);
    recorded += 1;
  }
  for (const [id, tally] of counters) recordCounters.run(tally.delivered, tally.failed, tally.last ? "success" : "failed", id);
  db.exec("COMMIT");
}
console.log(recorded);
