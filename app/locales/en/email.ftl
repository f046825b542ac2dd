# The email a follower gets when an author publishes. The HTML version is
# given its values already escaped.

email-subject = { $author }: { $title }
email-intro = { $author } published a new story on Warta:
email-read-it = Read it: { $url }
email-read-story = Read the story
email-why = You get this email because you follow { $author } on Warta.
email-stop = Stop these emails: { $url }
email-unsubscribe = Unsubscribe
