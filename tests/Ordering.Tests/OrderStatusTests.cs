using ProMTA.Ordering.Domain;
using Xunit;

namespace ProMTA.Ordering.Tests;

public sealed class OrderStatusTests
{
    [Fact]
    public void The_happy_path_only_moves_forward()
    {
        string[] path = [OrderStatus.Placed, OrderStatus.Paid, OrderStatus.Provisioned, OrderStatus.ReverseDnsRequested, OrderStatus.Active];
        Assert.Equal(path, path.OrderBy(OrderStatus.Rank));
        Assert.True(OrderStatus.Rank(OrderStatus.PaymentFailed) < OrderStatus.Rank(OrderStatus.Paid)); // a retried payment may still succeed
    }

    [Fact]
    public void An_unknown_status_is_refused() => Assert.Throws<ArgumentOutOfRangeException>(() => OrderStatus.Rank("Teleported"));
}
