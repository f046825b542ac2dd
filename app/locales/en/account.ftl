# Accounts: registering, signing in and out, settings, and what their forms
# say when the server refuses or fails them.

## Field labels
account-username = Username
account-email = Email
account-password = Password

## /register
register-title = Create an account
register-description = Join Warta to publish your writing.
register-username-hint = Letters, digits, _ and -; up to { $max }.
register-password-hint = { $min } to { $max } characters, not a common password or your own name.
register-submit = Create account
register-have-account = Have an account?
register-sign-in = Sign in

## /login
sign-in-title = Sign in
sign-in-description = Sign in to Warta.
sign-in-submit = Sign in
sign-in-new-here = New here?
sign-in-register = Create an account
sign-in-no-match = That email and password do not match an account.
sign-in-suspended = This account is suspended by the moderators. It cannot sign in until they restore it.

## /settings
settings-title = Settings
settings-description = Your Warta profile and account.
settings-loading = Loading…
settings-saved = Your settings are saved.
settings-signed-out = Every other session and API token of your account has ended.
settings-bio = Bio
settings-bio-hint = Up to { $max } characters, shown on your page.
settings-image = Picture URL
settings-image-hint = An https:// address of a picture of you.
settings-new-password = New password
settings-new-password-hint = Leave empty to keep your password; { $min } to { $max } characters.
settings-current-password = Current password
settings-current-password-hint = Needed to change your email or password.
settings-email-language = Language of your emails
settings-email-language-hint = When someone you follow publishes, the email comes in this language.
settings-submit = Save settings
settings-sessions = Sessions
settings-sessions-intro = Signed in somewhere you should not be? This ends every other session and API token of your account; you stay signed in here. Changing your email or password does the same.
settings-your-password = Your password
settings-your-password-hint = To be sure it is you.
settings-sign-out-everywhere = Sign out everywhere else
settings-current-password-needed = Current password is needed to change your email or password
settings-your-password-needed = Your password is needed to sign out everywhere else
settings-session-lost = Every other session has ended, but this one could not be kept; please sign in again.

## When the server cannot do what an account form asks
account-busy = Warta is busy signing other people in. Please try again in a few seconds.
account-sessions-unavailable = Sessions are unavailable just now; please try again.
account-gone = Your account no longer exists.
account-limits-unavailable = Warta cannot count sign-in attempts just now. Please try again in a few seconds.
account-too-many =
    { $count ->
        [one] Too many attempts. Please wait { $shown } minute and try again.
       *[other] Too many attempts. Please wait { $shown } minutes and try again.
    }
too-many-heading = Too many attempts
too-many-back = Back to Warta
account-register-failed = We could not create your account just now; please try again.
account-sign-in-failed = We could not sign you in just now; please try again.
settings-save-failed = We could not save your settings just now; please try again.
settings-credentials-failed = We could not change your email or password just now; please try again.
settings-sign-out-elsewhere-failed = We could not sign out everywhere else just now; please try again.
settings-sign-out-everywhere-failed = We could not sign you out everywhere just now; please try again.

## Any form whose call fails on the way (crate::auth::FormError)
form-unreachable = We could not reach Warta; check your connection and try again.
form-unreadable = This form could not be read; please reload the page and try again.
form-failed = Something went wrong on our side; please try again.

## Any page whose data could not be loaded (crate::error::AppError)
app-error-not-found = not found
app-error-forbidden = this is not yours to change
app-error-internal = something went wrong on our side; please try again
app-error-busy = Warta is busy just now; please try again in a moment
app-error-too-slow = this took too long; please ask for something narrower
app-error-too-many =
    { $count ->
        [one] Too many requests. Please wait { $shown } minute and try again.
       *[other] Too many requests. Please wait { $shown } minutes and try again.
    }
# The call's own error, in English: $detail.
app-error-call = { $detail }
