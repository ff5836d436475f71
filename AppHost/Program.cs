using System.Reflection;
foreach (var a in typeof(Program).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()) Console.WriteLine($"{a.Key} = {a.Value}");
