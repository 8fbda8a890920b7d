using EventStreams.Server.Hosting;

var app = EventStreamsApp.Create(args);
app.Run();
