namespace EventStreams.IntegrationTests.Intake;

/// <summary>
/// A schema repository of the test's own in a temporary folder, laid out as Wikimedia's are: <c>&lt;title&gt;/&lt;version&gt;.yaml</c>
/// with <c>latest.yaml</c> symlinks, and one schema present only as <c>.json</c>.
/// </summary>
public sealed class SchemaRepo : IDisposable
{
    public const string IntakeSchema = """
        title: test/intake
        $id: /test/intake/1.0.0
        $schema: https://json-schema.org/draft-07/schema#
        type: object
        required: [$schema, meta, action, count]
        properties:
          $schema:
            type: string
          meta:
            type: object
            required: [id, dt, stream]
            properties:
              id: {type: string}
              dt: {type: string, format: date-time}
              stream: {type: string}
              domain: {type: string}
          action:
            type: string
            enum: [click, view]
          count:
            type: integer
            minimum: 0
          seen_at:
            type: string
            format: date-time
          tags:
            type: array
            items: {type: string}
        examples:
          - $schema: /test/intake/1.0.0
            meta: {stream: intake.good}
            action: click
            count: 1
        """;

    /// <summary>Defaults at every place AJV's useDefaults fills them in, and under anyOf, where it does not.</summary>
    public const string DefaultsSchema = """
        title: test/defaults
        $id: /test/defaults/1.0.0
        $schema: https://json-schema.org/draft-07/schema#
        type: object
        required: [$schema, meta]
        definitions:
          weighted:
            type: object
            properties:
              weight: {type: number, default: 0.5}
        properties:
          $schema: {type: string}
          meta:
            type: object
            required: [id, dt, stream]
            properties:
              id: {type: string}
              dt: {type: string, format: date-time, maxLength: 128}
              stream: {type: string}
          test:
            type: string
            default: default value
          nested:
            type: object
            properties:
              level: {type: integer, default: 1}
              inner:
                type: object
                default: {}
                properties:
                  flag: {type: boolean, default: true}
          weighted_list:
            type: array
            items: {$ref: "#/definitions/weighted"}
          weighted_map:
            type: object
            additionalProperties: {$ref: "#/definitions/weighted"}
          choice:
            anyOf:
              - type: object
                properties:
                  never: {type: string, default: filled}
        allOf:
          - properties:
              from_all_of: {type: integer, default: 7}
        examples:
          - $schema: /test/defaults/1.0.0
            meta: {stream: intake.defaults}
        """;

    public const string OtherSchemaJson = """
        {"title": "test/other", "$id": "/test/other/1.0.0", "$schema": "https://json-schema.org/draft-07/schema#",
         "type": "object", "required": ["$schema", "meta", "n"],
         "properties": {"$schema": {"type": "string"}, "meta": {"type": "object"}, "n": {"type": "integer"}}}
        """;

    public SchemaRepo()
    {
        Folder = Path.Combine(Path.GetTempPath(), $"eventstreams-schemas-{Guid.NewGuid():N}");
        var intake = Directory.CreateDirectory(Path.Combine(Folder, "test", "intake")).FullName;
        File.WriteAllText(Path.Combine(intake, "1.0.0.yaml"), IntakeSchema);
        File.CreateSymbolicLink(Path.Combine(intake, "latest.yaml"), "1.0.0.yaml");
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(Folder, "test", "defaults")).FullName, "1.0.0.yaml"), DefaultsSchema);
        var other = Directory.CreateDirectory(Path.Combine(Folder, "test", "other")).FullName;
        File.WriteAllText(Path.Combine(other, "1.0.0.json"), OtherSchemaJson);
    }

    public string Folder { get; }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
