using System.ComponentModel;
using Microsoft.Extensions.AI;

namespace EvalHarness.BuiltIn;

/// <summary>An outbox: mail the agent sends is kept for state assertions, never delivered.</summary>
internal sealed class MailToolkit : BuiltInToolkit
{
    public override string Name => "mail";

    public override IReadOnlyList<ToolkitTool> Tools { get; } =
    [
        Tool("send_email", env => AIFunctionFactory.Create(
            ([Description("Recipient address")] string to, [Description("Subject line")] string subject, [Description("Plain-text body")] string body) =>
            {
                env.Mail.Send(to, subject, body);
                return "sent";
            },
            "send_email", "Sends an email to a customer."), sideEffecting: true),
    ];
}
