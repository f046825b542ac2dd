# Reports, the moderation queue, hiding, suspension and blocking.

## Reporting (/report)
report-title = Report
report-what-article = You are reporting the article “{ $title }” by { $author }.
report-what-comment = You are reporting a comment by { $author } on “{ $title }”:
report-why = Why are you reporting it?
report-reason-spam = Spam or advertising
report-reason-abuse = Harassment, hate or threats
report-reason-sexual = Sexual content
report-reason-violence = Violence or something against the law
report-reason-other = Something else
report-note = Anything the moderators should know (optional)
report-note-hint = Up to { $max } characters. Only moderators read it.
report-submit = Send report
report-received = Thank you. Your report was received, and a moderator will look at it.
report-already = You have reported this already. Thank you; the moderators have it.
report-own = You cannot report your own writing; you can edit or delete it instead.
report-gone = There is nothing to report here any more.
report-failed = We could not send your report just now; please try again.
report-sign-in = Sign in to report this
report-sign-in-first = Sign in to report this.
report-back = Back to the article
article-report = Report this article

## Comments
comments-hidden = Hidden
comments-hide = Hide
comments-restore = Show again
comments-report = Report
comments-blocked = The author of this article does not accept comments from you.

## Budgets
editor-withheld = The moderators have hidden this article: nobody else can read it. You can still edit it, or delete it.
editor-too-many =
    { $count ->
        [one] You have begun many articles this hour. Please wait { $shown } minute and save it then; what you wrote is still here.
       *[other] You have begun many articles this hour. Please wait { $shown } minutes and save it then; what you wrote is still here.
    }

## Blocking
block-button = Block { $username }
block-undo = Unblock { $username }
follow-blocked = This author has blocked you.
blocked-title = Blocked accounts
blocked-intro = Someone you block cannot follow you or comment on your articles, and you no longer see their comments.
blocked-manage = See and undo your blocks
blocked-none = You have not blocked anyone.
blocked-since = Blocked on { $date }
blocked-back = ← Settings

## The moderation queue (/moderation)
moderation-title = Moderation
moderation-find-account = Find an account
moderation-find = Find
moderation-sign-in = Sign in as a moderator
moderation-open =
    { $count ->
        [one] { $shown } reported item is waiting.
       *[other] { $shown } reported items are waiting.
    }
moderation-empty = Nothing is waiting. Reports will appear here.
moderation-article = Article “{ $title }”
moderation-comment-on = Comment on “{ $title }”
moderation-open-article = Open the article
moderation-by = by
moderation-suspended = suspended
moderation-hidden = hidden
moderation-reports =
    { $count ->
        [one] { $shown } report
       *[other] { $shown } reports
    }
moderation-action = Action
moderation-hide-article = Hide the article
moderation-hide-comment = Hide the comment
moderation-dismiss = Dismiss the reports
moderation-suspend-author = Suspend { $author }
moderation-apply = Apply
moderation-reason = Reason
moderation-reason-hint = Recorded with the action, for other moderators.
moderation-history = History
moderation-no-history = Nothing has been done about this account yet.
moderation-command-line = warta admin
moderation-not-allowed = You may not do that.
moderation-gone = That is no longer there.
moderation-failed = That did not work just now; please try again.

## One account (/moderation/account)
moderation-account-title = Account
moderation-back = ← Moderation
moderation-account-active = Active
moderation-account-suspended = Suspended on { $date }
moderation-joined = joined { $date }
moderation-suspend = Suspend the account
moderation-unsuspend = Restore the account
moderation-grant-moderator = Make a moderator
moderation-revoke-moderator = Take back the moderator role
moderation-hidden-writing = Hidden writing
moderation-nothing-hidden = Nothing of theirs is hidden.
moderation-hidden-article = An article, hidden on { $date }
moderation-hidden-comment = A comment, hidden on { $date }
moderation-restore = Restore
role-reader = reader
role-moderator = moderator
role-admin = admin

## What the history calls each action
action-hide-article = hid the article
action-restore-article = restored the article
action-hide-comment = hid the comment
action-restore-comment = restored the comment
action-delete-comment = deleted the comment
action-suspend = suspended the account
action-unsuspend = restored the account
action-dismiss = dismissed the reports
action-grant-moderator = made them a moderator
action-revoke-moderator = took back the moderator role
action-grant-admin = made them an admin
