// A served agent for the tests (Node 20, standard library only): POST /chat { message, session_id? } answers
// { reply, session_id, state } after a model loop with one tool, check_stock. Its model is OPENAI_BASE_URL's
// Chat Completions, called with fetch. PROPAGATE says what it passes on of the request's trace context, as a service
// with OpenTelemetry's HTTP instrumentation would: "w3c" (traceparent and baggage), "header" (x-evalh-case-id only)
// or "none". START=exit makes it fail at start; START=never-ready keeps /health at 503.
import http from "node:http";
import { randomUUID } from "node:crypto";

const port = Number(process.env.PORT);
const propagate = process.env.PROPAGATE ?? "w3c";
const stock = { "MUG-01": 3, "MUG-02": 0, "TEE-01": 12 };
const sessions = new Map();

if (process.env.START === "exit") {
  console.error("stock-service: cannot open inventory.db (missing file)");
  process.exit(3);
}

const tools = [{
  type: "function",
  function: { name: "check_stock", description: "Units in stock for a SKU.", parameters: { type: "object", properties: { sku: { type: "string" } }, required: ["sku"] } },
}];

function passedOn(headers) {
  const out = {};
  if (propagate === "w3c") {
    if (headers.traceparent) out.traceparent = headers.traceparent;
    if (headers.baggage) out.baggage = headers.baggage;
  } else if (propagate === "header" && headers["x-evalh-case-id"]) {
    out["x-evalh-case-id"] = headers["x-evalh-case-id"];
  }
  return out;
}

async function answer(history, headers, checked) {
  for (let step = 0; step < 5; step++) {
    const response = await fetch(`${process.env.OPENAI_BASE_URL}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${process.env.OPENAI_API_KEY}`, ...passedOn(headers) },
      body: JSON.stringify({ model: process.env.EVALH_MODEL ?? "gpt-4o-mini", messages: history, tools }),
    });
    if (!response.ok) throw new Error(`the model answered ${response.status}: ${await response.text()}`);
    const message = (await response.json()).choices[0].message;
    history.push(message);
    if (!message.tool_calls?.length) return message.content;
    for (const call of message.tool_calls) {
      const { sku } = JSON.parse(call.function.arguments);
      checked.push(sku);
      history.push({ role: "tool", tool_call_id: call.id, content: JSON.stringify({ sku, in_stock: stock[sku] ?? 0 }) });
    }
  }
  return "I could not finish.";
}

// The same agent behind the endpoints agent hosts expose: Chat Completions (the whole conversation each time) and
// Responses (later turns continue previous_response_id).
const responses = new Map();
async function agentEndpoint(req, res, body) {
  const system = { role: "system", content: "You answer stock questions with check_stock." };
  let history;
  if (req.url === "/v1/chat/completions") {
    history = [system, ...body.messages.filter(m => m.role !== "system")];
  } else {
    const earlier = body.previous_response_id ? responses.get(body.previous_response_id) : undefined;
    if (body.previous_response_id && !earlier) {
      res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `no response ${body.previous_response_id}` } }));
      return;
    }
    history = earlier ? [...earlier, { role: "user", content: body.input }] : [system, ...body.input];
  }
  const reply = await answer(history, req.headers, []);
  if (req.url === "/v1/chat/completions") {
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: reply } }] }));
  } else {
    const id = `resp_${responses.size + 1}`;
    responses.set(id, history);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id, object: "response", output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: reply }] }] }));
  }
}

http.createServer(async (req, res) => {
  if (req.method === "GET" && req.url === "/health") {
    res.writeHead(process.env.START === "never-ready" ? 503 : 200).end();
    return;
  }
  let text = "";
  for await (const chunk of req) text += chunk;
  if (req.method === "POST" && (req.url === "/v1/chat/completions" || req.url === "/v1/responses")) {
    await agentEndpoint(req, res, JSON.parse(text));
    return;
  }
  if (req.method !== "POST" || req.url !== "/chat") {
    res.writeHead(404).end();
    return;
  }
  const { message, session_id } = JSON.parse(text);
  const id = session_id ?? randomUUID();
  const session = sessions.get(id) ?? { history: [{ role: "system", content: "You answer stock questions with check_stock." }], checked: [] };
  sessions.set(id, session);
  session.history.push({ role: "user", content: message });
  try {
    const reply = await answer(session.history, req.headers, session.checked);
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ reply, session_id: id, state: { checked: session.checked } }));
  } catch (error) {
    res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: String(error.message ?? error) }));
  }
}).listen(port, "127.0.0.1", () => console.log(`stock-service listening on ${port}`));
