[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("BillingService.Tests")]
