namespace EvalHarness.Reports;

/// <summary>Exception messages as the person who gave the input should read them; evalh's own error lines use it too.</summary>
internal static class InputMessages
{
    /// <summary>
    /// The message without .NET's <c>(Parameter 'x')</c> suffix, which names a parameter of evalh's code, not anything the
    /// user wrote.
    /// </summary>
    public static string Of(Exception ex) => ex is ArgumentException { ParamName: { } name }
        ? ex.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal)
        : ex.Message;
}
