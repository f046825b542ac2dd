# Getting back into an account, and showing an address is one's own:
# /forgot-password, /reset-password/{token}, /verify-email/{token}, and what
# the sign-in and settings pages say about them.

## /forgot-password
forgot-title = Forgot your password?
forgot-description = Get a link to set a new password.
forgot-intro = Type the address you signed up with. If an account has it, we will email it a link to set a new password.
forgot-submit = Send the link
forgot-sent = If an account has that address, a link to set a new password is on its way to it.
forgot-sent-hint = The link works for 30 minutes, once. Nothing arrived? Look in your spam folder, or ask again in a few minutes.
forgot-back-to-sign-in = Back to signing in
forgot-failed = We could not send the link just now; please try again.

## /reset-password/{token}
reset-title = Set a new password
reset-new-password = New password
reset-ends-sessions = Setting it signs you out everywhere, on every device and app; then you sign in with the new password.
reset-submit = Set the password
reset-link-dead = This link no longer works: it has expired, was used already, or a newer one was sent. Ask for a new one.
reset-failed = We could not set the password just now; please try again.

## /verify-email/{token}
verify-title = Verify your email address
verify-question = Is { $email } your address? Confirm it, and Warta will send it what you follow.
verify-submit = Yes, this is my address
verify-link-dead = This link no longer works: it has expired, was used already, or a newer one was sent. Your settings can send a new one.
verify-taken = Someone else has registered this address in the meantime, so it cannot become yours.
verify-failed = We could not verify the address just now; please try again.
verify-resend-failed = We could not send the link just now; please try again.

## A link that no longer works
dead-link-new-reset = Ask for a new password link
dead-link-settings = Your settings

## /login
sign-in-forgot = Forgot your password?
sign-in-after-reset = Your password has been changed, and you are signed out everywhere. Sign in with the new password.
sign-in-after-verify = Your email address is verified.

## /settings
settings-verified = Your email address is verified.
settings-link-sent = We have sent the link again.
settings-address = Your email address
settings-address-verified = { $email } is verified.
settings-address-unverified = { $email } is not verified yet. Until you open the link we sent it, Warta sends it nothing but that link.
settings-address-pending = You asked to change your address to { $email }. It changes once you open the link we sent there; until then, sign in with your current address.
settings-send-again = Send the link again
