using StripeEmulator.Charges;
using StripeEmulator.Disputes;
using StripeEmulator.Errors;
using StripeEmulator.Http;
using StripeEmulator.Ledger;
using StripeEmulator.PaymentMethods;
using StripeEmulator.Store;
using StripeEmulator.Webhooks;

namespace StripeEmulator.PaymentIntents;

/// <summary>
/// The PaymentIntent state machine: what confirming with a given test card does to the intent,
/// the charges, the ledger and the webhooks. Callers hold the store lock (Atomically), so a
/// confirmation is all-or-nothing and never races another confirmation of the same intent.
/// </summary>
public sealed class PaymentIntentConfirmation(EmulatorStore store, WebhookPublisher webhooks, DisputeLifecycle disputes, TimeProvider clock)
{
    private const string AuthenticationFailureMessage =
        "The provided PaymentMethod has failed authentication. You can provide payment_method_data or a new PaymentMethod to attempt to fulfill this PaymentIntent again.";

    public ConfirmationResult Confirm(PaymentIntent intent, PaymentMethod paymentMethod, ConfirmationRequest confirm, StripeRequestContext request)
    {
        if (!PaymentIntentStatus.IsConfirmable(intent.Status))
        {
            throw UnexpectedState(intent, "confirm");
        }

        return paymentMethod.Card.Outcome switch
        {
            CardOutcome.Succeeds => Succeed(intent, paymentMethod, confirm.OffSession, request),
            CardOutcome.Declines => Decline(intent, paymentMethod, paymentMethod.Card.Decline!, confirm.OffSession, request),
            // Off-session there is nobody to run 3D Secure, so Stripe declines outright;
            // error_on_requires_action asks for the same instead of a requires_action intent.
            CardOutcome.RequiresAuthentication when confirm.OffSession || confirm.ErrorOnRequiresAction =>
                Decline(intent, paymentMethod, paymentMethod.Card.Decline!, confirm.OffSession, request),
            _ => RequireAction(intent, paymentMethod, confirm.ReturnUrl, request),
        };
    }

    /// <summary>The customer finished (or failed) the 3D Secure challenge of a requires_action intent.</summary>
    public ConfirmationResult CompleteAuthentication(PaymentIntent intent, bool authenticated, StripeRequestContext request)
    {
        if (intent.Status != PaymentIntentStatus.RequiresAction || intent.PaymentMethodId is null)
        {
            throw UnexpectedState(intent, "authenticate");
        }

        var paymentMethod = store.PaymentMethods.Get(intent.PaymentMethodId, "payment_method");
        return authenticated
            ? Succeed(intent, paymentMethod, offSession: false, request)
            : FailAuthentication(intent, paymentMethod, request);
    }

    public PaymentIntent Cancel(PaymentIntent intent, string? reason)
    {
        if (!PaymentIntentStatus.IsConfirmable(intent.Status))
        {
            throw UnexpectedState(intent, "cancel");
        }

        if (intent.PendingLedgerSequence is { } sequence)
        {
            store.Ledger.Update(sequence, entry => entry with { Status = PaymentIntentStatus.Canceled });
        }

        var canceled = store.PaymentIntents.Save(intent with
        {
            Status = PaymentIntentStatus.Canceled,
            CanceledAt = Now(),
            CancellationReason = reason,
            NextAction = null,
            PendingLedgerSequence = null,
        });
        webhooks.Publish("payment_intent.canceled", PaymentIntentJson.Render(canceled), null);
        return canceled;
    }

    private ConfirmationResult Succeed(PaymentIntent intent, PaymentMethod paymentMethod, bool offSession, StripeRequestContext request)
    {
        // setup_future_usage asks Stripe to keep the card on the customer once it has worked.
        if (intent.SetupFutureUsage is not null && intent.CustomerId is not null && paymentMethod.CustomerId is null)
        {
            paymentMethod = store.PaymentMethods.Save(paymentMethod with { CustomerId = intent.CustomerId });
        }

        SpendIfUnattached(paymentMethod);
        var charge = store.Charges.Save(NewCharge(intent, paymentMethod, failure: null));
        var succeeded = intent with
        {
            Status = PaymentIntentStatus.Succeeded,
            AmountReceived = intent.Amount,
            LatestChargeId = charge.Id,
            PaymentMethodId = paymentMethod.Id,
            LastPaymentError = null,
            NextAction = null,
        };
        succeeded = store.PaymentIntents.Save(RecordAttempt(succeeded, paymentMethod, charge, offSession, request) with { PendingLedgerSequence = null });
        webhooks.Publish("payment_intent.succeeded", PaymentIntentJson.Render(succeeded), request);
        if (paymentMethod.Card.DisputeReason is { } reason)
        {
            disputes.Open(charge, reason, request);
        }

        return new ConfirmationResult(succeeded);
    }

    private ConfirmationResult Decline(PaymentIntent intent, PaymentMethod paymentMethod, CardDecline decline, bool offSession, StripeRequestContext request)
    {
        SpendIfUnattached(paymentMethod);
        var charge = store.Charges.Save(NewCharge(intent, paymentMethod, decline));
        var error = new StripeError(StripeErrors.CardError, decline.Message)
        {
            Code = decline.Code,
            DeclineCode = decline.DeclineCode,
            ChargeId = charge.Id,
            PaymentMethod = paymentMethod,
        };

        // As on Stripe, a declined intent drops its payment method and waits for a new one.
        var failed = intent with
        {
            Status = PaymentIntentStatus.RequiresPaymentMethod,
            PaymentMethodId = null,
            LatestChargeId = charge.Id,
            LastPaymentError = error,
            NextAction = null,
        };
        failed = store.PaymentIntents.Save(RecordAttempt(failed, paymentMethod, charge, offSession, request) with { PendingLedgerSequence = null });
        webhooks.Publish("payment_intent.payment_failed", PaymentIntentJson.Render(failed), request);
        return new ConfirmationResult(failed, new StripeErrorException(StatusCodes.Status402PaymentRequired, error with { PaymentIntent = failed }));
    }

    private ConfirmationResult RequireAction(PaymentIntent intent, PaymentMethod paymentMethod, string? returnUrl, StripeRequestContext request)
    {
        var nextAction = new NextAction($"{request.BaseUrl}/_emulator/3ds/{intent.Id}/authenticate", returnUrl, StripeIds.New("src"));
        var waiting = intent with
        {
            Status = PaymentIntentStatus.RequiresAction,
            PaymentMethodId = paymentMethod.Id,
            LastPaymentError = null,
            NextAction = nextAction,
        };
        waiting = store.PaymentIntents.Save(RecordAttempt(waiting, paymentMethod, charge: null, offSession: false, request));
        webhooks.Publish("payment_intent.requires_action", PaymentIntentJson.Render(waiting), request);
        return new ConfirmationResult(waiting);
    }

    private ConfirmationResult FailAuthentication(PaymentIntent intent, PaymentMethod paymentMethod, StripeRequestContext request)
    {
        SpendIfUnattached(paymentMethod);
        var error = new StripeError(StripeErrors.InvalidRequestError, AuthenticationFailureMessage)
        {
            Code = "payment_intent_authentication_failure",
            PaymentMethod = paymentMethod,
        };
        var failed = intent with
        {
            Status = PaymentIntentStatus.RequiresPaymentMethod,
            PaymentMethodId = null,
            LastPaymentError = error,
            NextAction = null,
        };
        failed = store.PaymentIntents.Save(RecordAttempt(failed, paymentMethod, charge: null, offSession: false, request) with { PendingLedgerSequence = null });
        webhooks.Publish("payment_intent.payment_failed", PaymentIntentJson.Render(failed), request);
        return new ConfirmationResult(failed);
    }

    /// <summary>
    /// Writes the attempt to the ledger. A 3D Secure attempt already has an entry (requires_action);
    /// its outcome updates that entry so one attempt never shows up as two charges.
    /// </summary>
    private PaymentIntent RecordAttempt(PaymentIntent intent, PaymentMethod paymentMethod, Charge? charge, bool offSession, StripeRequestContext request)
    {
        var status = charge?.Status ?? (intent.Status == PaymentIntentStatus.RequiresAction ? PaymentIntentStatus.RequiresAction : "failed");
        var failureCode = charge?.Failure?.Code ?? intent.LastPaymentError?.Code;
        if (intent.PendingLedgerSequence is { } sequence)
        {
            store.Ledger.Update(sequence, entry => entry with
            {
                Status = status,
                Charge = charge?.Id,
                FailureCode = failureCode,
                DeclineCode = charge?.Failure?.DeclineCode,
            });
            return intent;
        }

        var recorded = store.Ledger.Record(next => new LedgerEntry
        {
            Sequence = next,
            PaymentIntent = intent.Id,
            Customer = intent.CustomerId,
            Amount = intent.Amount,
            Currency = intent.Currency,
            Status = status,
            IdempotencyKey = request.IdempotencyKey,
            Metadata = intent.Metadata,
            PaymentMethod = paymentMethod.Id,
            Charge = charge?.Id,
            FailureCode = failureCode,
            DeclineCode = charge?.Failure?.DeclineCode,
            OffSession = offSession,
            Created = Now(),
        });
        return intent with { PendingLedgerSequence = recorded.Sequence };
    }

    /// <summary>An unattached PaymentMethod may pay once only (see PaymentMethod.Spent).</summary>
    private void SpendIfUnattached(PaymentMethod paymentMethod)
    {
        if (paymentMethod.CustomerId is null)
        {
            store.PaymentMethods.Save(paymentMethod with { Spent = true });
        }
    }

    private Charge NewCharge(PaymentIntent intent, PaymentMethod paymentMethod, CardDecline? failure) => new()
    {
        Id = StripeIds.New("ch"),
        Created = Now(),
        Amount = intent.Amount,
        Currency = intent.Currency,
        CustomerId = intent.CustomerId,
        PaymentIntentId = intent.Id,
        PaymentMethod = paymentMethod,
        Status = failure is null ? "succeeded" : "failed",
        Failure = failure,
        Description = intent.Description,
        Metadata = intent.Metadata,
        BalanceTransactionId = failure is null ? StripeIds.New("txn") : null,
    };

    private static string PastTense(string action) => action switch
    {
        "cancel" => "canceled",
        "authenticate" => "authenticated",
        _ => action + "ed",
    };

    private long Now() => clock.GetUtcNow().ToUnixTimeSeconds();

    private static StripeErrorException UnexpectedState(PaymentIntent intent, string action) => new(
        StatusCodes.Status400BadRequest,
        new StripeError(StripeErrors.InvalidRequestError,
            $"You cannot {action} this PaymentIntent because it has a status of {intent.Status}. Only a PaymentIntent with one of the following statuses may be {PastTense(action)}: requires_payment_method, requires_confirmation, requires_action.")
        {
            Code = "payment_intent_unexpected_state",
            PaymentIntent = intent,
        });
}
