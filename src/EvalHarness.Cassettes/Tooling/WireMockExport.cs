using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using EvalHarness.Cassettes.Format;
using Microsoft.AspNetCore.WebUtilities;

namespace EvalHarness.Cassettes.Tooling;

/// <summary>
/// Writes a cassette folder as WireMock static mappings (<c>&lt;out&gt;/mappings/*.json</c>), one per recorded interaction,
/// so a WireMock server a team already runs serves the recorded model traffic at the URLs the cassette server uses.
/// </summary>
/// <remarks>
/// A mapping matches method, <c>/c/&lt;cassette-id&gt;/&lt;provider path&gt;</c> and a JSON body equal to the recorded
/// request, and answers with the recorded status, headers and body, byte for byte as <c>evalh serve</c> replays it.
/// Repeats of one identical request (a retry after a fault) are told apart by a WireMock scenario, in recorded order.
/// The mappings are plain JSON: no WireMock package is needed to write them.
/// </remarks>
public static class WireMockExport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Exports every cassette under <paramref name="cassetteFolder"/> into <paramref name="outFolder"/>, which must not exist or be empty.</summary>
    /// <returns>What was written, and the interactions WireMock can only approximate.</returns>
    /// <exception cref="DirectoryNotFoundException">There is no cassette folder.</exception>
    /// <exception cref="InvalidDataException">The folder holds no cassettes, or one cannot be read; nothing was written.</exception>
    /// <exception cref="IOException">The output folder is not empty; nothing was written.</exception>
    public static WireMockExportResult Write(string cassetteFolder, string outFolder)
    {
        ArgumentException.ThrowIfNullOrEmpty(outFolder);
        var inventory = CassetteInventory.Load(cassetteFolder);
        if (inventory.Entries.FirstOrDefault(e => e.Error is not null) is { Error: { } error })
        {
            throw new InvalidDataException($"{error} Nothing was exported.");
        }

        if (inventory.Entries.Count == 0)
        {
            throw new InvalidDataException($"{inventory.Root}: no cassettes (*.json) to export.");
        }

        var target = Path.TrimEndingDirectorySeparator(Path.GetFullPath(outFolder));
        if (File.Exists(target))
        {
            throw new IOException($"{target} is a file: --out names the folder to create; nothing was exported.");
        }

        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new IOException($"{target} already exists and is not empty: remove it or choose another --out; nothing was exported.");
        }

        // Written beside the target, then moved into place: a failed export leaves no half a folder.
        var temp = $"{target}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp";
        var notes = new List<string>();
        var mappings = 0;
        try
        {
            var folder = Directory.CreateDirectory(Path.Combine(temp, "mappings")).FullName;
            // Each cassette under its own id (what a client puts in the URL), whatever folder the export started from.
            foreach (var (_, _, cassette, _, _, _) in inventory.Entries)
            {
                foreach (var (name, mapping) in Mappings(cassette!.Id, cassette, notes))
                {
                    File.WriteAllText(Path.Combine(folder, name), mapping.ToJsonString(Indented) + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
                    mappings++;
                }
            }

            if (Directory.Exists(target))
            {
                Directory.Delete(target);
            }

            Directory.Move(temp, target);
        }
        catch
        {
            if (Directory.Exists(temp))
            {
                Directory.Delete(temp, recursive: true);
            }

            throw;
        }

        return new WireMockExportResult(target, inventory.Entries.Count, mappings, notes);
    }

    /// <summary>One cassette's mappings, named <c>&lt;id with '/' as '+'&gt;.&lt;interaction&gt;.json</c> (ids never hold a '+').</summary>
    private static IEnumerable<(string Name, JsonObject Mapping)> Mappings(string id, Cassette cassette, List<string> notes)
    {
        var requests = cassette.Interactions.Select(i => $"{i.Request.Method} {i.Request.Path} {JsonSerializer.Serialize(i.Request.Body, Compact)}").ToList();
        for (var i = 0; i < cassette.Interactions.Count; i++)
        {
            var interaction = cassette.Interactions[i];
            var title = $"{id} #{i + 1}";
            var mapping = new JsonObject
            {
                ["Guid"] = StableGuid(title).ToString(),
                ["Title"] = title,
            };

            // Repeats of one request (a retry after a fault) are a scenario: the k-th repeat answers in state "repeat k",
            // and the last keeps its state, so it answers any further repeat as the recording's last answer did.
            var repeats = Enumerable.Range(0, requests.Count).Where(j => requests[j] == requests[i]).ToList();
            if (repeats.Count > 1)
            {
                var k = repeats.IndexOf(i) + 1;
                mapping["Scenario"] = $"{id} #{repeats[0] + 1}";
                if (k > 1)
                {
                    mapping["WhenStateIs"] = $"repeat {k}";
                }

                mapping["SetStateTo"] = $"repeat {Math.Min(k + 1, repeats.Count)}";
            }

            mapping["Request"] = Request(id, interaction.Request);
            mapping["Response"] = Response(interaction, title, notes);
            yield return ($"{id.Replace('/', '+')}.{(i + 1).ToString("000", CultureInfo.InvariantCulture)}.json", mapping);
        }
    }

    private static JsonObject Request(string id, RecordedRequest recorded)
    {
        var query = recorded.Path.IndexOf('?', StringComparison.Ordinal);
        var path = query < 0 ? recorded.Path : recorded.Path[..query];
        var request = new JsonObject
        {
            ["Path"] = new JsonObject { ["Matchers"] = new JsonArray(Matcher("ExactMatcher", $"/c/{id}/{path.TrimStart('/')}")) },
            ["Methods"] = new JsonArray(recorded.Method),
        };

        if (query >= 0)
        {
            request["Params"] = new JsonArray([.. QueryHelpers.ParseQuery(recorded.Path[query..]).Select(p => new JsonObject
            {
                ["Name"] = p.Key,
                ["Matchers"] = new JsonArray([.. p.Value.Select(v => Matcher("ExactMatcher", v ?? string.Empty))]),
            })]);
        }

        var body = recorded.Body;
        if (body.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            request["Body"] = new JsonObject { ["Matcher"] = Matcher("JsonMatcher", JsonNode.Parse(body.GetRawText())) };
        }
        else if (body.ValueKind == JsonValueKind.String && body.GetString() is { Length: > 0 } text)
        {
            request["Body"] = new JsonObject { ["Matcher"] = Matcher("ExactMatcher", text) };
        }

        return request;
    }

    private static JsonObject Matcher(string name, JsonNode? pattern) => new() { ["Name"] = name, ["Pattern"] = pattern };

    private static JsonObject Response(Interaction interaction, string title, List<string> notes)
    {
        var recorded = interaction.Response;
        var response = new JsonObject { ["StatusCode"] = recorded.Status == 0 ? 200 : recorded.Status };
        var headers = new JsonObject();
        foreach (var (name, value) in recorded.Headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            headers[name] = value;
        }

        if (recorded.Events is not null && !recorded.Headers.Keys.Any(k => k.Equals("content-type", StringComparison.OrdinalIgnoreCase)))
        {
            headers["content-type"] = "text/event-stream";
        }

        if (headers.Count > 0)
        {
            response["Headers"] = headers;
        }

        var bytes = WireBytes.Response(recorded);
        if (bytes.Length > 0)
        {
            response["Body"] = Encoding.UTF8.GetString(bytes);
        }

        // WireMock.Net cannot drop a connection or hold one open past a client's patience (a scenario moves on only
        // when its answer is sent), so an answer that never came becomes the gateway error a proxy would have sent,
        // with no body: the SDKs retry it as they retry a drop, and the retry gets the recorded next answer.
        switch (recorded.Fault)
        {
            case null:
                break;
            case "timeout" or "reset" when recorded.Events is null:
                var status = recorded.Fault == "timeout" ? 504 : 502;
                response["StatusCode"] = status;
                response["Fault"] = new JsonObject { ["Type"] = "EMPTY_RESPONSE" };
                notes.Add($"{title}: {(recorded.Fault == "timeout" ? "a timeout" : "a dropped connection")} is served at once as an empty {status}, which clients retry as they retry a {recorded.Fault}.");
                break;
            default:
                // WireMock's MALFORMED_RESPONSE_CHUNK would add random bytes and still end the answer normally: the
                // events that arrived, byte for byte, say more.
                notes.Add($"{title}: a stream cut off after {recorded.Events?.Count ?? 0} event(s) is served as those events, then ends normally: WireMock cannot cut a connection.");
                break;
        }

        return response;
    }

    /// <summary>The same id for the same interaction on every export, so a re-export shows no diff.</summary>
    private static Guid StableGuid(string title) => new(SHA256.HashData(Encoding.UTF8.GetBytes(title)).AsSpan(0, 16));
}
