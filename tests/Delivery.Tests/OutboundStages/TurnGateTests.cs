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
}
