namespace Gateway.ServiceDefaults; public static class Placeholder { }
