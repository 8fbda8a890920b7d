namespace EventStreams.Server.Intake;

/// <summary>
/// One reason an event is invalid, shaped like EventGate's (AJV's) error objects: <c>dataPath</c> in AJV's dotted
/// form (<c>.event.action</c>), <c>instancePath</c> as a JSON Pointer (<c>/event/action</c>) for tools that highlight it.
/// </summary>
internal sealed record ValidationMessage(string Keyword, string DataPath, string InstancePath, string SchemaPath, string Message)
{
    /// <summary>As EventGate's <c>errorsText</c> writes each error: <c>'.event.action' must be one of ...</c>.</summary>
    public override string ToString() => $"'{DataPath}' {Message}";
}
