[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("ServiceDefaults.Tests")]
