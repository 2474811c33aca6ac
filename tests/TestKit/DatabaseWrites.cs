using ProMTA.ServiceDefaults.Data;

namespace ProMTA.TestKit;

/// <summary>Test set-up and steps that write through a service's own repositories, in one committed transaction.</summary>
public static class DatabaseWrites
{
    public static async Task WriteAsync(this Database database, Func<UnitOfWork, Task> change)
    {
        await using var work = await database.BeginAsync();
        await change(work);
        await work.CommitAsync();
    }

    public static async Task<T> WriteAsync<T>(this Database database, Func<UnitOfWork, Task<T>> change)
    {
        await using var work = await database.BeginAsync();
        var result = await change(work);
        await work.CommitAsync();
        return result;
    }
}
