using Microsoft.Extensions.Time.Testing;
using ProMTA.Delivery.Outbound.Egress;
using Xunit;

namespace ProMTA.Delivery.Tests.OutboundStages;

/// <summary>The gate in front of a destination's sessions (and the ready queue's): transactional batches are let in first.</summary>
public sealed class TurnGateTests
{
    [Fact]
    public async Task A_transactional_waiter_is_let_in_before_bulk_ones_that_waited_longer()
    {
        var gate = new TurnGate(1);
        await gate.WaitAsync(isTransactional: false, CancellationToken.None);
        var bulk = gate.WaitAsync(isTransactional: false, CancellationToken.None);
        var transactional = gate.WaitAsync(isTransactional: true, CancellationToken.None);

        gate.Release();

        await transactional;
        Assert.False(bulk.IsCompleted);
        gate.Release();
        await bulk;
    }

    [Fact]
    public async Task Bulk_never_takes_the_reserved_slots_and_transactional_mail_finds_one_while_bulk_fills_the_rest()
    {
        var gate = new TurnGate(4, reserved: 1);
        for (var i = 0; i < 3; i++) await gate.WaitAsync(isTransactional: false, CancellationToken.None);

        var fourthBulk = gate.WaitAsync(isTransactional: false, CancellationToken.None);
        await gate.WaitAsync(isTransactional: true, CancellationToken.None);

        Assert.False(fourthBulk.IsCompleted);
        gate.Release(); // the transactional batch is done: its reserved slot stays out of bulk's reach
        Assert.False(fourthBulk.IsCompleted);
        gate.Release(); // a bulk batch is done
        await fourthBulk;
    }

    [Fact]
    public async Task A_waiter_that_gave_up_does_not_take_a_slot()
    {
        var gate = new TurnGate(1);
        await gate.WaitAsync(isTransactional: false, CancellationToken.None);
        using var cancel = new CancellationTokenSource();
        var gaveUp = gate.WaitAsync(isTransactional: true, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gaveUp);

        gate.Release();

        await gate.WaitAsync(isTransactional: false, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_waiter_whose_time_runs_out_gives_up_and_the_slot_goes_to_the_next_one()
    {
        var time = new FakeTimeProvider(StageKit.T0);
        var gate = new TurnGate(1);
        await gate.WaitAsync(isTransactional: false, CancellationToken.None);
        var late = gate.WaitAsync(isTransactional: false, StageKit.T0 + TimeSpan.FromMinutes(8), time, CancellationToken.None);
        var next = gate.WaitAsync(isTransactional: false, CancellationToken.None);

        time.Advance(TimeSpan.FromMinutes(8) - TimeSpan.FromSeconds(1));
        await Task.Delay(50);
        Assert.False(late.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(await late.WaitAsync(TimeSpan.FromSeconds(5)));

        gate.Release();
        await next.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_waiter_whose_time_is_already_up_takes_no_slot_even_a_free_one()
    {
        var time = new FakeTimeProvider(StageKit.T0);
        var gate = new TurnGate(1);

        Assert.False(await gate.WaitAsync(isTransactional: true, StageKit.T0, time, CancellationToken.None));
        Assert.True(await gate.WaitAsync(isTransactional: true, StageKit.T0 + TimeSpan.FromSeconds(1), time, CancellationToken.None));
    }
}
