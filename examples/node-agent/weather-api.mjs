// The weather HTTP API that the agent's get_weather tool calls (Node 20, node:http only).
//
//   GET /weather?city=Tokyo  -> 200 {"city":"Tokyo","temperature_c":26,"conditions":"sunny"}
//   GET /weather?city=Atlantis -> 404 {"error":"no weather data for Atlantis"}
//
// It listens on 127.0.0.1 and $PORT (5081 when unset; 0 picks a free port) and prints its address on
// stdout. Under EvalHarness the suite names it (agent.http.weather): the harness records its answers into
// each case's cassette and replays them with this server stopped.

import { createServer } from "node:http";

const WEATHER = {
  cairo: { city: "Cairo", temperature_c: 34, conditions: "clear" },
  oslo: { city: "Oslo", temperature_c: -3, conditions: "light snow" },
  paris: { city: "Paris", temperature_c: 18, conditions: "light rain" },
  tokyo: { city: "Tokyo", temperature_c: 26, conditions: "sunny" },
};

function send(response, status, body) {
  const json = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  response.end(json);
}

const server = createServer((request, response) => {
  const url = new URL(request.url, "http://localhost");
  if (url.pathname !== "/weather") return send(response, 404, { error: `no such path: ${url.pathname}` });
  if (request.method !== "GET") {
    response.setHeader("allow", "GET");
    return send(response, 405, { error: `method ${request.method} is not allowed` });
  }
  const city = url.searchParams.get("city");
  if (city === null) return send(response, 400, { error: "the query needs a city" });
  // The error names the city as it was asked for, untrimmed, as the agent's in-memory table did.
  const weather = WEATHER[city.trim().toLowerCase()];
  return weather ? send(response, 200, weather) : send(response, 404, { error: `no weather data for ${city}` });
});

const port = Number(process.env.PORT || 5081);
server.listen(port, "127.0.0.1", () => {
  const { address, port: bound } = server.address();
  console.log(`weather API listening on http://${address}:${bound}`);
});

// Ctrl-C or a harness stopping it: close the listener and let open requests finish.
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.close());
