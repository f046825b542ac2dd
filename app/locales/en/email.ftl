# The email a follower gets when an author publishes. The HTML version is
# given its values already escaped.

email-subject = { $author }: { $title }
email-intro = { $author } published a new story on Warta:
email-read-it = Read it: { $url }
email-read-story = Read the story
email-why = You get this email because you follow { $author } on Warta.
email-stop = Stop these emails: { $url }
email-unsubscribe = Unsubscribe

# The links and notices an account is sent.
email-greeting = Hello { $username },
email-reset-subject = Set a new Warta password
email-reset-intro = Someone (we hope you) asked to set a new password for your Warta account.
email-reset-action = Set a new password
email-reset-link = Set a new password: { $url }
email-link-expires = The link works for 30 minutes, once.
email-reset-ignore = If you did not ask, ignore this email: your password stays as it is.
email-verify-subject = Verify your email address for Warta
email-verify-intro = Please confirm that { $email } is your address, so Warta can send you what you follow.
email-verify-action = Verify my address
email-verify-link = Verify your address: { $url }
email-verify-ignore = If you did not sign up for Warta or change your address, ignore this email: nothing will be sent to you.
email-password-changed-subject = Your Warta password was changed
email-password-changed-text = The password of your Warta account was just changed, and every session was signed out. If this was not you, set a new password now: { $url }
email-address-changed-subject = Your Warta email address was changed
email-address-changed-text = The email address of your Warta account was changed from { $old } to { $new }. This address no longer signs in. If you did not make this change, someone else knows your password: tell the people who run this Warta at once.
