namespace EvalHarness.Agents.Approvals;

/// <summary>A human's answer to an approval request.</summary>
public enum ApprovalDecision
{
    /// <summary>Run the call.</summary>
    Approve,

    /// <summary>Do not run it; the model is told it was denied.</summary>
    Deny,

    /// <summary>No answer yet: the run stops as AwaitingApproval with a checkpoint to resume from.</summary>
    Pending,
}
