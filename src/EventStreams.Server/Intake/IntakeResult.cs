namespace EventStreams.Server.Intake;

/// <summary>What became of a request's events, grouped as EventGate groups them.</summary>
internal sealed record IntakeResult(int Total, int Accepted, IReadOnlyList<EventFailure> Invalid, IReadOnlyList<EventFailure> Errors)
{
    /// <summary>EventGate's status rule: 204 all accepted; 400 all invalid; 207 some accepted; 500 none accepted and some failed to produce.</summary>
    public int Status =>
        Invalid.Count + Errors.Count == 0 ? StatusCodes.Status204NoContent
        : Invalid.Count == Total ? StatusCodes.Status400BadRequest
        : Accepted > 0 ? StatusCodes.Status207MultiStatus
        : StatusCodes.Status500InternalServerError;

    /// <summary>EventGate's status message, sent as the reason phrase.</summary>
    public string Summary => Status switch
    {
        StatusCodes.Status204NoContent => $"All {Accepted} out of {Total} events were accepted.",
        StatusCodes.Status400BadRequest => $"{Invalid.Count} out of {Total} events were invalid and not accepted.",
        StatusCodes.Status207MultiStatus => $"{Accepted} out of {Total} events were accepted, but {Invalid.Count + Errors.Count} failed ({Invalid.Count} invalid and {Errors.Count} errored).",
        _ => $"{Invalid.Count + Errors.Count} out of {Total} events had failures and were not accepted. ({Invalid.Count} invalid and {Errors.Count} errored).",
    };
}
