namespace EvalHarness.BuiltIn;

/// <summary>A case's outbox: records what the agent sends; nothing leaves the process.</summary>
public sealed class Mailbox
{
    private readonly List<SentMail> _sent = [];

    /// <summary>Sent mail, oldest first.</summary>
    public IReadOnlyList<SentMail> Sent => _sent;

    /// <summary>Records a sent email.</summary>
    public void Send(string to, string subject, string body)
    {
        if (!to.Contains('@', StringComparison.Ordinal))
        {
            throw new ArgumentException($"'{to}' is not an email address.", nameof(to));
        }

        _sent.Add(new SentMail(to.Trim(), subject, body));
    }
}
