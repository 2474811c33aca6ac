namespace ProMTA.Ordering.Teams;

/// <summary>Why a team change is refused; <see cref="Status"/> is the HTTP status the API answers with.</summary>
public sealed record TeamRefusal(int Status, string Title, string Detail)
{
    public static readonly TeamRefusal NoSuchMember = new(StatusCodes.Status404NotFound, "No such member", "This account has no member with this id.");

    public static readonly TeamRefusal OwnersOnly = new(StatusCodes.Status403Forbidden, "Owners only",
        "Only an owner may make someone an owner, or change or remove an owner.");

    public static readonly TeamRefusal AccountOwner = new(StatusCodes.Status409Conflict, "The account's owner stays",
        "The login that opened the account is its owner for good: it cannot be removed or given another role.");

    public static readonly TeamRefusal AlreadyMember = new(StatusCodes.Status409Conflict, "Already a member",
        "Someone with this address is already a member of this account.");

    public static readonly TeamRefusal TooManyInvitations = new(StatusCodes.Status429TooManyRequests, "Too many invitations",
        "This account sent many invitations in the last hour; try again later.");

    public static readonly TeamRefusal NoSuchInvitation = new(StatusCodes.Status404NotFound, "No such invitation",
        "This account has no pending invitation with this id (it may have been accepted, revoked or have expired).");

    public static readonly TeamRefusal LoginElsewhere = new(StatusCodes.Status409Conflict, "Address already has a login",
        "This address already logs in to a ProMTA account, and one login belongs to one account. Ask the inviter to invite another address, " +
        "or ask your current account's owner to remove you first.");
}
