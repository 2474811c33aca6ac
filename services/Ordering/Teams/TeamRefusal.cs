namespace ProMTA.Ordering.Teams;

/// <summary>Why a team change is refused; <see cref="Status"/> is the HTTP status the API answers with.</summary>
public sealed record TeamRefusal(int Status, string Title, string Detail)
{
    public static readonly TeamRefusal NoSuchMember = new(StatusCodes.Status404NotFound, "No such member", "This account has no member with this id.");

    public static readonly TeamRefusal NotAMember = new(StatusCodes.Status404NotFound, "No such membership", "Your login belongs to no account with this id.");

    public static readonly TeamRefusal OwnersOnly = new(StatusCodes.Status403Forbidden, "Owners only",
        "Only the account's owner may hand its ownership to another member.");

    public static readonly TeamRefusal OneOwner = new(StatusCodes.Status409Conflict, "An account has one owner",
        "An account has exactly one owner. Invite or make the person an admin; the owner then transfers ownership (POST /api/account/team/ownership).");

    public static readonly TeamRefusal TheOwner = new(StatusCodes.Status409Conflict, "The account's owner stays",
        "The account's owner cannot be removed or given another role; the owner first transfers ownership to another member.");

    public static readonly TeamRefusal AlreadyOwner = new(StatusCodes.Status409Conflict, "Already the owner",
        "This member already owns the account; choose another member to hand ownership to.");

    public static readonly TeamRefusal WrongPassword = new(StatusCodes.Status400BadRequest, "Password is wrong",
        "Handing over the account asks for your password again, and it did not match.");

    public static readonly TeamRefusal AlreadyMember = new(StatusCodes.Status409Conflict, "Already a member",
        "Someone with this address is already a member of this account.");

    public static readonly TeamRefusal AlreadyJoined = new(StatusCodes.Status409Conflict, "Already a member",
        "This login already belongs to the account of this invitation; the invitation stays unused.");

    public static readonly TeamRefusal TooManyInvitations = new(StatusCodes.Status429TooManyRequests, "Too many invitations",
        "This account sent many invitations in the last hour; try again later.");

    public static readonly TeamRefusal NoSuchInvitation = new(StatusCodes.Status404NotFound, "No such invitation",
        "This account has no pending invitation with this id (it may have been accepted, revoked or have expired).");

    public static readonly TeamRefusal ProveLogin = new(StatusCodes.Status401Unauthorized, "Sign in to join",
        "This address already has a ProMTA login: give that login's password to join with it, or sign in and accept the invitation " +
        "from the portal (POST /api/account/memberships). The invitation stays usable.");

    public static readonly TeamRefusal NotYourInvitation = new(StatusCodes.Status403Forbidden, "Invitation for another address",
        "This invitation was sent to another address than the login you are signed in with; sign in as the invited address. " +
        "The invitation stays usable.");

    public static readonly TeamRefusal StaffLogin = new(StatusCodes.Status409Conflict, "A staff login joins no team",
        "This address is a ProMTA staff login; staff belong to no customer account. Ask the inviter to invite another address.");

    public static readonly TeamRefusal NameRequired = new(StatusCodes.Status400BadRequest, "Name required",
        "This address has no login yet: give a name (and a password of at least 10 characters) to make one.");
}
