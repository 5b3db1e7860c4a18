// A weather desk agent, run by EvalHarness as a process (Node 20 and the official `openai` package).
//
// The harness starts one process per case, and in a conversation one per user turn. It writes one JSON
// object to stdin, e.g. {"case_id": "...", "input": "How warm is it in Tokyo, in Fahrenheit?", "turn": 1,
// "conversation": [{"role": "user", "content": "How warm is it in Tokyo, in Fahrenheit?"}], "vars": {}},
// and reads the last line of stdout: {"output": "<final answer>", "state": {"lookups": 1}}. On a later
// turn, "conversation" holds the turns so far (the user's messages and this agent's answers) and "state"
// the state this agent reported on the turn before, so its count of lookups carries on.
//
// In replay the harness compares each request body with the recorded one, so requests must be
// identical from run to run: fixed model, temperature 0, fixed prompt and tools, and nothing time-
// or random-dependent.

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

const WEATHER = {
  cairo: { city: "Cairo", temperature_c: 34, conditions: "clear" },
  oslo: { city: "Oslo", temperature_c: -3, conditions: "light snow" },
  paris: { city: "Paris", temperature_c: 18, conditions: "light rain" },
  tokyo: { city: "Tokyo", temperature_c: 26, conditions: "sunny" },
};

// Two decimals hide binary floating-point noise such as 78.80000000000001.
const round2 = (x) => Math.round(x * 100) / 100;

/** The agent's world for one run; `lookups` is its end state, carried from turn to turn. */
class WeatherDesk {
  constructor(lookups = 0) {
    this.lookups = lookups;
  }

  getWeather({ city }) {
    this.lookups += 1;
    if (typeof city !== "string") return { error: "city must be a string" };
    return WEATHER[city.trim().toLowerCase()] ?? { error: `no weather data for ${city}` };
  }

  convertTemperature({ celsius, to }) {
    if (typeof celsius !== "number" || !Number.isFinite(celsius)) return { error: "celsius must be a number" };
    if (to === "fahrenheit") return { celsius, fahrenheit: round2((celsius * 9) / 5 + 32) };
    if (to === "kelvin") return { celsius, kelvin: round2(celsius + 273.15) };
    return { error: "to must be fahrenheit or kelvin" };
  }

  /** Runs one tool call and returns its result as the string the tool message carries. */
  call(name, argumentsJson) {
    let args;
    try {
      args = JSON.parse(argumentsJson || "{}");
    } catch {
      return `error: the arguments of ${name} are not valid JSON`;
    }
    switch (name) {
      case "get_weather":
        return JSON.stringify(this.getWeather(args ?? {}));
      case "convert_temperature":
        return JSON.stringify(this.convertTemperature(args ?? {}));
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
      messages.push({ role: "tool", tool_call_id: call.id, content: desk.call(call.function.name, call.function.arguments) });
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
  const desk = new WeatherDesk(lookups);
  console.error(`case ${process.env.EVALH_CASE_ID ?? "?"}${turn > 1 ? `, turn ${turn}` : ""}: model ${model}`);
  let answer;
  try {
    answer = await run(client, model, conversation, desk);
  } catch (e) {
    if (!(e instanceof OpenAI.APIError)) throw e;
    // e.message starts with the HTTP status; connection failures are APIErrors too, without one.
    console.error(`error: the chat completions request failed: ${e.message}`);
    return 1;
  }

  // Progress lines went to stderr, so this is the only stdout line.
  process.stdout.write(JSON.stringify({ output: answer, state: { lookups: desk.lookups } }) + "\n");
  return 0;
}

// Setting exitCode rather than calling process.exit() lets piped stdout drain first.
process.exitCode = await main();
