// A weather desk agent, run by EvalHarness as a process (Node 20 and the official `openai` package).
//
// The harness starts one process per case, and in a conversation one per user turn. It writes one JSON
// object to stdin, e.g. {"case_id": "...", "input": "How warm is it in Tokyo, in Fahrenheit?", "turn": 1,
// "conversation": [{"role": "user", "content": "How warm is it in Tokyo, in Fahrenheit?"}], "vars": {}},
// and reads the last line of stdout: {"output": "<final answer>", "state": {"lookups": 1}}. On a later
// turn, "conversation" holds the turns so far (the user's messages and this agent's answers) and "state"
// the state this agent reported on the turn before, so its count of lookups carries on.
//
// Its tools reach two services, whose addresses the harness gives per case: get_weather calls the weather
// HTTP API (weather-api.mjs) at EVALH_HTTP_WEATHER_URL, and convert_temperature is a tool of the units MCP
// server (units-server.mjs, stdio), which the harness serves over streamable HTTP at EVALH_MCP_UNITS_URL.
// The harness records their traffic with the model's and replays it with neither running.
//
// In replay the harness compares each request with the recorded one, so requests must be identical from
// run to run: fixed model, temperature 0, fixed prompt and tools, tool calls run one at a time in the
// model's order, and nothing time- or random-dependent.

import OpenAI from "openai";

const SYSTEM_PROMPT =
  "You are the assistant of a weather desk. " +
  "Look up current conditions with get_weather and use convert_temperature when the user wants Fahrenheit or Kelvin; " +
  "answer briefly and say so when there is no data for a city.";

const DEFAULT_MODEL = "gpt-4o-mini";
const MAX_STEPS = 6;
const STEP_LIMIT_ANSWER = `I could not finish within ${MAX_STEPS} steps.`;

// Tools in a fixed order: their JSON is part of every request body.
const TOOLS = [
  {
    type: "function",
    function: {
      name: "get_weather",
      description: "Current temperature in degrees Celsius and conditions for a city.",
      parameters: {
        type: "object",
        properties: {
          city: { type: "string", description: "The city's name, e.g. Oslo." },
        },
        required: ["city"],
        additionalProperties: false,
      },
    },
  },
  {
    type: "function",
    function: {
      name: "convert_temperature",
      description: "Convert a temperature from degrees Celsius to Fahrenheit or Kelvin.",
      parameters: {
        type: "object",
        properties: {
          celsius: { type: "number", description: "The temperature in degrees Celsius." },
          to: { type: "string", enum: ["fahrenheit", "kelvin"], description: "The unit to convert to." },
        },
        required: ["celsius", "to"],
        additionalProperties: false,
      },
    },
  },
];

const CLIENT_INFO = { name: "evalh-example-weather-desk", version: "0.1.0" };
// A tool server that does not answer in this time gives the model an error rather than hanging the run.
const TOOL_TIMEOUT_MS = 10_000;

/** The tool result for a failure, as the model sees it. */
const toolError = (message) => JSON.stringify({ error: message });

/** Why a request failed: Node's fetch (under the MCP SDK too) says "fetch failed" and keeps the reason, e.g. ECONNREFUSED, in its cause. */
const reason = (e) => e?.cause?.message ?? e?.message ?? String(e);

/** The units MCP server over streamable HTTP, connected when its tool is first called. */
class UnitsServer {
  #url;
  #client;

  constructor(url) {
    this.#url = url;
  }

  /** Calls a tool and returns its text content, the tool message's content. */
  async callTool(name, args) {
    if (!this.#url) {
      console.error("error: the units MCP server is not configured: set EVALH_MCP_UNITS_URL");
      return toolError("units server not configured: set EVALH_MCP_UNITS_URL");
    }
    let client;
    try {
      client = await this.#connect();
    } catch (e) {
      console.error(`error: cannot connect to the units MCP server at ${this.#url}: ${reason(e)}`);
      return toolError(`units server unavailable: ${reason(e)}`);
    }
    try {
      const result = await client.callTool({ name, arguments: args }, undefined, { timeout: TOOL_TIMEOUT_MS });
      // A tool's own error (isError) is text as well; the model reads it like any result.
      return result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
    } catch (e) {
      console.error(`error: tools/call ${name} failed: ${reason(e)}`);
      return toolError(`units server failed: ${reason(e)}`);
    }
  }

  async #connect() {
    if (this.#client) return this.#client;
    // Imported here: loading the SDK takes about a third of a second, which a run that never converts is spared.
    const [{ Client }, { StreamableHTTPClientTransport }] = await Promise.all([
      import("@modelcontextprotocol/sdk/client/index.js"),
      import("@modelcontextprotocol/sdk/client/streamableHttp.js"),
    ]);
    const client = new Client(CLIENT_INFO);
    await client.connect(new StreamableHTTPClientTransport(new URL(this.#url)), { timeout: TOOL_TIMEOUT_MS });
    return (this.#client = client);
  }

  /** Closes the session if one was opened. (Client.close aborts the transport; it sends no DELETE.) */
  async close() {
    await this.#client?.close();
  }
}

/** The agent's world for one run; `lookups` is its end state, carried from turn to turn. */
class WeatherDesk {
  constructor(lookups, weatherUrl, units) {
    this.lookups = lookups;
    this.weatherUrl = weatherUrl?.replace(/\/+$/, "");
    this.units = units;
  }

  /** GET {weather API}/weather?city=...; its JSON body (200, or 404 for an unknown city) is the result. */
  async getWeather({ city }) {
    this.lookups += 1;
    if (typeof city !== "string") return toolError("city must be a string");
    if (!this.weatherUrl) {
      console.error("error: the weather API is not configured: set EVALH_HTTP_WEATHER_URL");
      return toolError("weather service not configured: set EVALH_HTTP_WEATHER_URL");
    }
    try {
      const response = await fetch(`${this.weatherUrl}/weather?city=${encodeURIComponent(city)}`, {
        signal: AbortSignal.timeout(TOOL_TIMEOUT_MS),
      });
      if (response.status !== 200 && response.status !== 404) {
        await response.body?.cancel();
        throw new Error(`HTTP ${response.status}`);
      }
      // Parsed and written again, so the result is compact JSON whatever the API's spacing.
      return JSON.stringify(await response.json());
    } catch (e) {
      console.error(`error: the weather API failed: ${reason(e)}`);
      return toolError(`weather service unavailable: ${reason(e)}`);
    }
  }

  /** Runs one tool call and returns its result as the string the tool message carries. */
  async call(name, argumentsJson) {
    let args;
    try {
      args = JSON.parse(argumentsJson || "{}");
    } catch {
      return `error: the arguments of ${name} are not valid JSON`;
    }
    switch (name) {
      case "get_weather":
        return this.getWeather(args ?? {});
      case "convert_temperature":
        return this.units.callTool(name, args ?? {});
      default:
        return `error: unknown tool ${name}`;
    }
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

/** The tool loop over the conversation so far (ending with the user's message); returns the final answer. */
async function run(client, model, conversation, desk) {
  const messages = [
    { role: "system", content: SYSTEM_PROMPT },
    ...conversation.map(({ role, content }) => ({ role, content })),
  ];
  for (let step = 1; step <= MAX_STEPS; step++) {
    const completion = await client.chat.completions.create({ model, temperature: 0, messages, tools: TOOLS });
    const message = completion.choices[0].message;
    const toolCalls = message.tool_calls ?? [];
    if (toolCalls.length === 0) {
      console.error(`step ${step}: answered`);
      return message.content ?? "";
    }
    if (step === MAX_STEPS) {
      // No request is left to send their results in, so the calls are not run.
      console.error(`step ${step}: stopped at the step limit`);
      break;
    }
    // The assistant turn goes back with its tool calls as the model sent them; other fields of the
    // returned message (refusal, annotations, ...) are left out, as not every server accepts them.
    messages.push({ role: "assistant", content: message.content, tool_calls: toolCalls });
    for (const call of toolCalls) {
      console.error(`step ${step}: calling tool ${call.function.name}`);
      messages.push({ role: "tool", tool_call_id: call.id, content: await desk.call(call.function.name, call.function.arguments) });
    }
  }
  return STEP_LIMIT_ANSWER;
}

async function main() {
  for (const name of ["OPENAI_BASE_URL", "OPENAI_API_KEY"]) {
    if (!process.env[name]) {
      console.error(`error: ${name} is not set`);
      return 2;
    }
  }
  const model = process.env.EVALH_MODEL || DEFAULT_MODEL;

  let conversation, lookups, turn;
  try {
    const input = JSON.parse(await readStdin());
    if (typeof input?.input !== "string") throw new Error("'input' is not a string");
    conversation = input.conversation ?? [{ role: "user", content: input.input }];
    if (!Array.isArray(conversation)) throw new Error("'conversation' is not an array");
    lookups = input.state?.lookups ?? 0;
    turn = input.turn ?? 1;
  } catch (e) {
    console.error(`error: stdin must be one JSON object with an 'input' string (${e.message})`);
    return 2;
  }

  // maxRetries: 0: this agent reports an HTTP error rather than retrying it. (A replay miss is 422 with
  // x-should-retry: false, which the SDK would not retry with its defaults either.)
  const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0 });
  const units = new UnitsServer(process.env.EVALH_MCP_UNITS_URL);
  const desk = new WeatherDesk(lookups, process.env.EVALH_HTTP_WEATHER_URL, units);
  console.error(`case ${process.env.EVALH_CASE_ID ?? "?"}${turn > 1 ? `, turn ${turn}` : ""}: model ${model}`);
  let answer;
  try {
    answer = await run(client, model, conversation, desk);
  } catch (e) {
    if (!(e instanceof OpenAI.APIError)) throw e;
    // e.message starts with the HTTP status; connection failures are APIErrors too, without one.
    console.error(`error: the chat completions request failed: ${e.message}`);
    return 1;
  } finally {
    await units.close();
  }

  // Progress lines went to stderr, so this is the only stdout line.
  process.stdout.write(JSON.stringify({ output: answer, state: { lookups: desk.lookups } }) + "\n");
  return 0;
}

// Setting exitCode rather than calling process.exit() lets piped stdout drain first.
process.exitCode = await main();
