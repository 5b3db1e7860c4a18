using EvalHarness.Agents.Providers;

namespace EvalHarness.Tests.Agents;

/// <summary>
/// The warm-up that runs while a suite loads must really go through the model call's code: a call that fails (an answer
/// the SDK no longer reads, a pipeline that no longer builds) would leave every run paying that code's first load again,
/// with nothing to show for it.
/// </summary>
public sealed class OpenAIWarmUpTests
{
    [Fact]
    public async Task StartAsync_CallsThroughTheClientStack_AndIsAnswered()
    {
        Assert.True(await OpenAIWarmUp.StartAsync().WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task StartAsync_CalledAgain_RunsOnce()
    {
        var first = OpenAIWarmUp.StartAsync();

        Assert.Same(first, OpenAIWarmUp.StartAsync());
        await first.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
    }
}
