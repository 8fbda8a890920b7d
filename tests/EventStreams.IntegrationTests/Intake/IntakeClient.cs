using System.Net;
using System.Text;
using System.Text.Json;

namespace EventStreams.IntegrationTests.Intake;

/// <summary>POSTs to <c>/v1/events</c> over real HTTP and reads the answer.</summary>
public static class IntakeClient
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    public sealed record Answer(HttpStatusCode Status, string? ReasonPhrase, string Body)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    }

    public static async Task<Answer> PostAsync(HttpClient http, string body, string contentType = "application/json", string query = "")
    {
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(contentType);
        using var response = await http.PostAsync("v1/events" + query, content).WaitAsync(Wait);
        return new Answer(response.StatusCode, response.ReasonPhrase, await response.Content.ReadAsStringAsync().WaitAsync(Wait));
    }

    /// <summary>POSTs bytes as they are (invalid UTF-8, a compressed body with its <c>Content-Encoding</c>).</summary>
    public static async Task<Answer> PostBytesAsync(HttpClient http, byte[] body, string? contentEncoding = null)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        if (contentEncoding is not null)
        {
            content.Headers.ContentEncoding.Add(contentEncoding);
        }

        using var response = await http.PostAsync("v1/events", content).WaitAsync(Wait);
        return new Answer(response.StatusCode, response.ReasonPhrase, await response.Content.ReadAsStringAsync().WaitAsync(Wait));
    }

    /// <summary>A valid <c>test/intake</c> event for <c>intake.good</c>, told apart by <paramref name="marker"/>.</summary>
    public static string Good(string marker, string schema = "/test/intake/1.0.0") =>
        $$"""{"$schema":"{{schema}}","meta":{"stream":"intake.good","domain":"test.org"},"action":"click","count":1,"tags":["{{marker}}"]}""";
}
