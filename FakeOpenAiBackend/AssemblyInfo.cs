[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("FakeOpenAiBackend.Tests")]
