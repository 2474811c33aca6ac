using ProMTA.ServiceDefaults.Data;

namespace ProMTA.Billing.Data;

public sealed record NotificationToMail(Guid Id, string Kind, string Message, DateTimeOffset CreatedAt, int MailAttempts, string? Email, string? AccountManagerEmail);

/// <summary>The outbox of customer notifications: written with the change they report, mailed afterwards.</summary>
public static class NotificationRepository
{
    private const string NotifySql = """
        INSERT INTO notifications (id, customer_id, service_id, kind, message, created_at, next_mail_at, copy_account_manager)
        VALUES (@Id, @CustomerId, @ServiceId, @Kind, @Message, @CreatedAt, @CreatedAt, @CopyAccountManager)
        """;
    // Billing mail goes to the billing profile's address where there is one, else to the latest order's.
    // SKIP LOCKED: replicas mail different notifications; the row stays locked until its outcome commits.
    // A notice that asks for it is copied to the customer's account manager, where they have one with an address.
    private const string ClaimSql = """
        SELECT n.id, n.kind, n.message, n.created_at, n.mail_attempts, COALESCE(p.billing_email, a.email) AS email,
               CASE WHEN n.copy_account_manager THEN m.email END AS account_manager_email
        FROM notifications n LEFT JOIN billing_accounts a ON a.customer_id = n.customer_id
        LEFT JOIN billing_profiles p ON p.customer_id = n.customer_id
        LEFT JOIN account_managers m ON m.customer_id = n.customer_id
        WHERE n.mail_status = 'Pending' AND n.next_mail_at <= @Now
        ORDER BY n.next_mail_at, n.id
        LIMIT 1
        FOR UPDATE OF n SKIP LOCKED
        """;
    private const string OutcomeSql = """
        UPDATE notifications SET mail_status = @Status, mail_attempts = mail_attempts + @Attempted, mailed_at = @MailedAt,
                                 mail_error = @Error, next_mail_at = @NextMailAt
        WHERE id = @Id
        """;
    private const string SetEmailSql = "UPDATE billing_accounts SET email = @Email WHERE customer_id = @CustomerId";

    public static Task NotifyAsync(UnitOfWork work, Guid customerId, Guid serviceId, string kind, string message, DateTimeOffset now, bool copyAccountManager = false) =>
        work.ExecuteAsync(NotifySql, new
        {
            Id = Guid.CreateVersion7(), CustomerId = customerId, ServiceId = serviceId, Kind = kind, Message = message, CreatedAt = now,
            CopyAccountManager = copyAccountManager,
        });

    public static Task<NotificationToMail?> ClaimAsync(UnitOfWork work, DateTimeOffset now) =>
        work.QuerySingleOrDefaultAsync<NotificationToMail>(ClaimSql, new { Now = now });

    public static Task MarkSentAsync(UnitOfWork work, Guid id, DateTimeOffset now) =>
        work.ExecuteAsync(OutcomeSql, new { Id = id, Status = "Sent", Attempted = 1, MailedAt = now, Error = (string?)null, NextMailAt = (DateTimeOffset?)null });

    public static Task MarkFinalAsync(UnitOfWork work, Guid id, string status, string error) =>
        work.ExecuteAsync(OutcomeSql, new { Id = id, Status = status, Attempted = status == "NoAddress" ? 0 : 1, MailedAt = (DateTimeOffset?)null, Error = error, NextMailAt = (DateTimeOffset?)null });

    public static Task RetryLaterAsync(UnitOfWork work, Guid id, string error, DateTimeOffset nextAt) =>
        work.ExecuteAsync(OutcomeSql, new { Id = id, Status = "Pending", Attempted = 1, MailedAt = (DateTimeOffset?)null, Error = error, NextMailAt = nextAt });

    /// <summary>The address of the customer's latest order is where billing mail goes.</summary>
    public static Task SetEmailAsync(UnitOfWork work, Guid customerId, string email) =>
        work.ExecuteAsync(SetEmailSql, new { CustomerId = customerId, Email = email });
}
