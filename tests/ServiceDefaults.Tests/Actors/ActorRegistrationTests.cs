using Gateway.ServiceDefaults.Actors;
using Gateway.ServiceDefaults.Tests.Actors.Support;

namespace Gateway.ServiceDefaults.Tests.Actors;

/// <summary>Which methods of an actor class become callable, under which names, and which classes are refused.</summary>
public sealed class ActorRegistrationTests
{
    public sealed record Payload(int Value);

    // Actor methods are instance methods by contract; these shapes need no data.
#pragma warning disable CA1822

    public sealed class ShapesActor(ActorHost host) : Actor(host), IRemindable
    {
        public Task NoArgumentsAsync() => Task.CompletedTask;

        public Task<int> ArgumentAsync(Payload payload) => Task.FromResult(payload.Value);

        public Task<int> ArgumentAndTokenAsync(Payload payload, CancellationToken cancellationToken) => Task.FromResult(payload.Value + (cancellationToken.CanBeCanceled ? 1000 : 0));

        public Task<string> TokenOnlyAsync(CancellationToken cancellationToken) => Task.FromResult(cancellationToken.CanBeCanceled ? "token" : "none");

        public Task<int?> OptionalAsync(Payload? payload) => Task.FromResult(payload?.Value);

        public Task<int> ValueAsync(int value) => Task.FromResult(value * 2);

        [ActorMethod("renamed")]
        public Task<string> LongCSharpNameAsync() => Task.FromResult("renamed");

        // Not Task-returning: a plain helper, not part of the actor's contract.
        public int Helper() => 42;

        public Task<ReminderOutcome> ReceiveReminderAsync(ActorReminder reminder, CancellationToken cancellationToken) => Task.FromResult(ReminderOutcome.Keep);

        protected override Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private Task TickAsync(Payload payload) => Task.CompletedTask;

        private Task OverloadedAsync() => Task.CompletedTask;

        private Task OverloadedAsync(Payload payload) => Task.CompletedTask;

        private int NotACallback() => 1;
    }

    public sealed class OverloadsActor(ActorHost host) : Actor(host)
    {
        public Task RunAsync() => Task.CompletedTask;

        public Task RunAsync(Payload payload) => Task.CompletedTask;
    }

    public sealed class TwoArgumentsActor(ActorHost host) : Actor(host)
    {
        public Task AddAsync(int a, int b) => Task.CompletedTask;
    }

    public sealed class RefArgumentActor(ActorHost host) : Actor(host)
    {
        public Task SetAsync(ref int value) => Task.CompletedTask;
    }

    public sealed class TokenFirstActor(ActorHost host) : Actor(host)
    {
#pragma warning disable CA1068 // The wrong order is the point.
        public Task RunAsync(CancellationToken cancellationToken, Payload payload) => Task.CompletedTask;
#pragma warning restore CA1068
    }

    public sealed class ValueTaskActor(ActorHost host) : Actor(host)
    {
        // Not Task: ignored, like any other non-Task public method.
        public ValueTask RunAsync() => ValueTask.CompletedTask;
    }

    public sealed class SlashNameActor(ActorHost host) : Actor(host)
    {
        [ActorMethod("a/b")]
        public Task RunAsync() => Task.CompletedTask;
    }

    public sealed class GenericMethodActor(ActorHost host) : Actor(host)
    {
        public Task<T> EchoAsync<T>(T value) => Task.FromResult(value);
    }

    public abstract class AbstractActor(ActorHost host) : Actor(host);
#pragma warning restore CA1822

    [Fact]
    public void Create_ListsPublicTaskMethodsByWireName()
    {
        var registration = ActorRegistration.Create("Shapes", typeof(ShapesActor));

        Assert.Equal(
            ["ArgumentAndTokenAsync", "ArgumentAsync", "NoArgumentsAsync", "OptionalAsync", "TokenOnlyAsync", "ValueAsync", "renamed"],
            registration.Methods.Keys.Order(StringComparer.Ordinal));
        Assert.True(registration.IsRemindable);
    }

    [Fact]
    public void Methods_AreMatchedCaseSensitively()
    {
        var registration = ActorRegistration.Create("Shapes", typeof(ShapesActor));

        Assert.True(registration.Methods.ContainsKey("NoArgumentsAsync"));
        Assert.False(registration.Methods.ContainsKey("noargumentsasync"));
        Assert.False(registration.Methods.ContainsKey("LongCSharpNameAsync"));
    }

    [Fact]
    public void Create_DescribesParameterResultAndNullability()
    {
        var methods = ActorRegistration.Create("Shapes", typeof(ShapesActor)).Methods;

        Assert.Null(methods["NoArgumentsAsync"].ParameterType);
        Assert.Null(methods["NoArgumentsAsync"].ResultType);
        Assert.Null(methods["TokenOnlyAsync"].ParameterType);
        Assert.Equal(typeof(Payload), methods["ArgumentAndTokenAsync"].ParameterType);
        Assert.Equal(typeof(int), methods["ArgumentAsync"].ResultType);
        Assert.False(methods["ArgumentAsync"].ParameterAcceptsNull);
        Assert.True(methods["OptionalAsync"].ParameterAcceptsNull);
        Assert.False(methods["ValueAsync"].ParameterAcceptsNull);
    }

    [Fact]
    public void TimerCallbacks_IncludeNonPublicMethods_ByCSharpName_AndMarkOverloads()
    {
        var callbacks = ActorRegistration.Create("Shapes", typeof(ShapesActor)).TimerCallbacks;

        Assert.NotNull(callbacks["TickAsync"]);
        Assert.NotNull(callbacks["LongCSharpNameAsync"]);
        Assert.Null(callbacks["OverloadedAsync"]);
        Assert.False(callbacks.ContainsKey("NotACallback"));
        Assert.False(callbacks.ContainsKey("OnActivateAsync"));
        Assert.False(callbacks.ContainsKey("ReceiveReminderAsync"));
        Assert.False(callbacks.ContainsKey("renamed"));
    }

    [Theory]
    [InlineData(typeof(OverloadsActor), "two methods called 'RunAsync'")]
    [InlineData(typeof(TwoArgumentsActor), "at most one argument")]
    [InlineData(typeof(RefArgumentActor), "ref, out, in or pointer")]
    [InlineData(typeof(TokenFirstActor), "at most one argument")]
    [InlineData(typeof(SlashNameActor), "cannot be called as 'a/b'")]
    [InlineData(typeof(GenericMethodActor), "it is generic")]
    [InlineData(typeof(AbstractActor), "concrete, non-generic class")]
    public void Create_UncallableShape_Throws(Type actorType, string reason)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ActorRegistration.Create("Bad", actorType));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_PublicValueTaskMethod_IsNotCallable()
    {
        Assert.Empty(ActorRegistration.Create("V", typeof(ValueTaskActor)).Methods);
    }

    [Fact]
    public async Task InvokeAsync_PassesArgumentAndToken_AndReadsResult()
    {
        var methods = ActorRegistration.Create("Shapes", typeof(ShapesActor)).Methods;
        using var nowhere = new TestActorSidecar(new Uri("http://127.0.0.1:9"));
        var actor = new ShapesActor(nowhere.Host<ShapesActor>("Shapes", "s1"));
        using var cancellation = new CancellationTokenSource();

        Assert.Equal(7, await methods["ArgumentAsync"].InvokeAsync(actor, new Payload(7), CancellationToken.None));
        Assert.Equal(1007, await methods["ArgumentAndTokenAsync"].InvokeAsync(actor, new Payload(7), cancellation.Token));
        Assert.Equal("token", await methods["TokenOnlyAsync"].InvokeAsync(actor, null, cancellation.Token));
        Assert.Equal(10, await methods["ValueAsync"].InvokeAsync(actor, 5, CancellationToken.None));
        Assert.Null(await methods["NoArgumentsAsync"].InvokeAsync(actor, null, CancellationToken.None));
        Assert.Null(await methods["OptionalAsync"].InvokeAsync(actor, null, CancellationToken.None));
    }

    [Fact]
    public void RegisterActor_TakenOrInvalidName_Throws()
    {
        var options = new ActorRuntimeOptions().RegisterActor<ShapesActor>("Shapes");

        Assert.Throws<ArgumentException>(() => options.RegisterActor<ShapesActor>("Shapes"));
        Assert.Throws<ArgumentException>(() => options.RegisterActor<ShapesActor>("a/b"));
        Assert.Throws<ArgumentException>(() => options.RegisterActor<ShapesActor>(".."));
        Assert.Throws<ArgumentException>(() => options.RegisterActor<ShapesActor>(""));
    }
}
