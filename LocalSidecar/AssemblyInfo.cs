[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("LocalSidecar.Tests")]
