// The units MCP server that the agent's convert_temperature tool calls: stdio, on the official
// @modelcontextprotocol/sdk. stdout carries the protocol, so anything else goes to stderr.
//
// The agent reaches it over streamable HTTP (EVALH_MCP_UNITS_URL): under EvalHarness the suite names it
// (agent.mcp.units), and the harness starts it, serves it at a case-scoped HTTP endpoint, records its
// traffic into the case's cassette and replays that with this server absent.

import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

// Two decimals hide binary floating-point noise such as 78.80000000000001.
const round2 = (x) => Math.round(x * 100) / 100;

function convert(celsius, to) {
  return to === "fahrenheit"
    ? { celsius, fahrenheit: round2((celsius * 9) / 5 + 32) }
    : { celsius, kelvin: round2(celsius + 273.15) };
}

const server = new McpServer({ name: "evalh-example-units", version: "0.1.0" });

server.registerTool(
  "convert_temperature",
  {
    description: "Convert a temperature from degrees Celsius to Fahrenheit or Kelvin.",
    inputSchema: {
      celsius: z.number().finite().describe("The temperature in degrees Celsius."),
      to: z.enum(["fahrenheit", "kelvin"]).describe("The unit to convert to."),
    },
  },
  // The text is the agent's tool result as it goes to the model, e.g. {"celsius":26,"fahrenheit":78.8}.
  async ({ celsius, to }) => ({ content: [{ type: "text", text: JSON.stringify(convert(celsius, to)) }] }),
);

await server.connect(new StdioServerTransport());
console.error("units MCP server ready on stdio");
