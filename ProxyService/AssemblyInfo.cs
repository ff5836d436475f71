[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("ProxyService.Tests")]
