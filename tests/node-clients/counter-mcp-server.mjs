// A stdio MCP server on the official @modelcontextprotocol/sdk, for the tool-cassette tests: it counts the calls
// it has answered since it started (so a test tells a server per case from one per run) and whether a client greeted
// it first (initialize), and it can say what its
// INVENTORY_API_KEY is (so a test plants a key in its env and sees that the key never reaches a cassette).

import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { z } from "zod";

let calls = 0;
const server = new McpServer({ name: "evalh-test-counter", version: "0.1.0" });

server.registerTool(
  "count",
  { description: "How many calls this server has answered, this one included.", inputSchema: { label: z.string() } },
  // A call before the client's handshake says so: a server that was never greeted may answer otherwise.
  async ({ label }) => ({ content: [{ type: "text", text: `${label}: ${++calls}${server.server.getClientVersion() ? "" : " (no handshake)"}` }] }),
);

server.registerTool(
  "whoami",
  { description: "The key this server was started with.", inputSchema: {} },
  async () => ({ content: [{ type: "text", text: `key=${process.env.INVENTORY_API_KEY ?? "none"}` }] }),
);

await server.connect(new StdioServerTransport());
