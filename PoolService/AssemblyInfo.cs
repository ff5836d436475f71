[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("PoolService.Tests")]
