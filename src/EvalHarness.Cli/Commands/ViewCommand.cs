using System.CommandLine;
using System.Diagnostics;
using System.Net;
using EvalHarness.Cassettes.Server;
using EvalHarness.Core.Results;
using EvalHarness.Reports.Viewer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Spectre.Console;

namespace EvalHarness.Cli.Commands;

/// <summary>
/// <c>evalh view</c>: every run of a reports folder in the browser, two runs side by side, and the suites' trends; served
/// read-only on 127.0.0.1 until Ctrl+C, or written as static files with <c>--export</c>.
/// </summary>
internal static class ViewCommand
{
    public static Command Build(IAnsiConsole console, TextWriter error)
    {
        var reports = new Option<string>("--reports") { Description = "The reports folder to show.", DefaultValueFactory = _ => "reports" };
        var port = new Option<int>("--port") { Description = "The port on 127.0.0.1 (0: any free port).", DefaultValueFactory = _ => 0 };
        port.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() is < 0 or > 65535)
            {
                r.AddError($"--port must be a port number from 1 to 65535, or 0 for any free port, not {r.GetValueOrDefault<int>()}.");
            }
        });
        var open = new Option<bool>("--open") { Description = "Open the address in the default browser." };
        var export = new Option<string?>("--export") { HelpName = "dir", Description = "Write the pages into a folder as static files (for a CI artifact or a static site) instead of serving them." };
        var command = new Command("view", "Browse every run of a reports folder: filter them, open two side by side, see each suite's trends. Read-only, on 127.0.0.1.");
        foreach (var option in new Option[] { reports, port, open, export })
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) => InputErrors.GuardAsync(error, async () =>
        {
            var folder = parse.GetValue(reports)!;
            if (!Directory.Exists(folder))
            {
                throw new DirectoryNotFoundException($"{Path.GetFullPath(folder)}: no reports folder there. Run a suite first (evalh run <suite> writes reports/), or name the folder with --reports.");
            }

            var site = new ViewSite(folder);
            if (!Directory.Exists(site.Catalog.Runs))
            {
                console.MarkupLine($"[yellow]{Markup.Escape(site.Catalog.Root)} has no runs/ folder: is it the reports folder? A run writes reports/runs/<run-id>/; name the folder that holds runs/ with --reports.[/]");
            }

            if (parse.GetValue(export) is { } target)
            {
                if (parse.GetResult(port) is { Implicit: false } || parse.GetValue(open))
                {
                    throw new ArgumentException("--export writes the pages as files; --port and --open are for serving them. Leave them out, or leave out --export.");
                }

                var written = await site.ExportAsync(target, line => console.MarkupLine($"[grey]  {Markup.Escape(line)}[/]"), cancellationToken);
                console.WriteLine($"Wrote {written.Runs} run page(s), {written.Comparisons} side-by-side page(s) and {written.Suites} suite trends page(s) to {written.Directory}.");
                console.WriteLine($"Open {Path.Combine(written.Directory, "index.html")}: it needs no server.");
                return ExitCodes.Ok;
            }

            return await ServeAsync(console, error, site, parse.GetValue(port), parse.GetValue(open), cancellationToken);
        }));
        return command;
    }

    private static async Task<int> ServeAsync(IAnsiConsole console, TextWriter error, ViewSite site, int port, bool open, CancellationToken cancellationToken)
    {
        WebApplication app;
        Uri address;
        try
        {
            (app, address) = await LoopbackHost.StartAsync(a => a.Run(context => AnswerAsync(context, site, error)), cancellationToken, port);
        }
        catch (IOException ex)
        {
            throw new ArgumentException($"port {port} on 127.0.0.1 cannot be used ({ex.Message}): name another with --port, or 0 for any free one.", ex);
        }

        await using (app)
        {
            var runs = (await site.Catalog.ListAsync(cancellationToken)).Count;
            console.WriteLine($"evalh view: {address} ({runs} run(s) in {site.Catalog.Root}). Ctrl+C stops.");
            if (open)
            {
                OpenBrowser(console, address);
            }

            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                console.WriteLine("Stopped.");
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>Answers one request: only reads, only for a loopback host name (a page of another site cannot reach it by DNS rebinding).</summary>
    private static async Task AnswerAsync(HttpContext context, ViewSite site, TextWriter error)
    {
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            await response.WriteAsync("evalh view is read-only.\n", context.RequestAborted);
            return;
        }

        var host = context.Request.Host.Host;
        if (host is not ("127.0.0.1" or "localhost" or "[::1]") && !(IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip)))
        {
            response.StatusCode = StatusCodes.Status403Forbidden;
            await response.WriteAsync($"evalh view answers requests for 127.0.0.1 or localhost only, not '{host}'.\n", context.RequestAborted);
            return;
        }

        ViewResponse answer;
        try
        {
            answer = await site.GetAsync(context.Request.Path.Value ?? "/", context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await error.WriteLineAsync($"evalh view: {context.Request.Path}: {ex}");
            answer = new ViewResponse(500, "text/plain; charset=utf-8", $"{context.Request.Path}: {ex.Message}\n");
        }

        response.StatusCode = answer.Status;
        response.ContentType = answer.ContentType;
        if (answer.Location is { } location)
        {
            response.Headers.Location = location;
        }

        if (answer.FilePath is { } file)
        {
            response.ContentLength = new FileInfo(file).Length;
            await response.SendFileAsync(file, context.RequestAborted);
        }
        else
        {
            await response.WriteAsync(answer.Body ?? string.Empty, context.RequestAborted);
        }
    }

    private static void OpenBrowser(IAnsiConsole console, Uri address)
    {
        var (program, arguments) = OperatingSystem.IsWindows() ? ("cmd", $"/c start {address}") : OperatingSystem.IsMacOS() ? ("open", address.ToString()) : ("xdg-open", address.ToString());
        try
        {
            using var process = Process.Start(new ProcessStartInfo(program, arguments) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true });
            console.WriteLine($"Asked {program} to open {address}.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            console.WriteLine($"Could not open a browser ({program}: {ex.Message}); open {address} yourself.");
        }
    }
}
