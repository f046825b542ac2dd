# Writing: the editor, deleting an article, comments, favorites and following.

## /editor and /editor/{slug}
editor-loading = Loading…
editor-new = New article
editor-edit = Edit article
editor-description = Write on Warta.
editor-draft-saved = Draft saved. Only you can see it.
editor-view-published = View the published article
editor-cover-failed = Your article was saved, but its cover image could not be stored. Please choose the image again.
editor-title = Title
editor-description-label = Description
editor-description-hint = A line under the title, up to { $max } characters.
editor-body = Body
editor-body-hint = Markdown, up to { $max } KB.
editor-tags = Tags
editor-tags-hint = Separated by commas, up to { $max }; saved in lower case, words joined by hyphens.
editor-language = Language
editor-language-hint = The language the article is written in: search matches its words in that language.
editor-cover = Cover image
editor-cover-current = The current cover image
editor-cover-remove = Remove the cover image
editor-cover-replace-hint = Choose a file to replace it: JPEG, PNG or WebP, up to 5 MB.
editor-cover-hint = Optional: JPEG, PNG or WebP, up to 5 MB.
editor-preview = Preview
editor-save-draft = Save draft
editor-unpublish = Unpublish (save as draft)
editor-publish = Publish
editor-update = Update
editor-delete-link = Delete this article…
editor-unreadable = This form could not be read; please reload the page.
editor-article-gone = This article no longer exists.
editor-not-author = Only its author may change this article.
editor-signed-out = You are signed out. Sign in again in another tab, then save: your text is still here.
editor-save-failed = We could not save your article just now; your text is still here, please try again.
# A refused cover image (server/src/imaging.rs), beside the field.
editor-cover-not-an-image = Cover must be a JPEG, PNG or WebP image
editor-cover-broken = Cover could not be read: the file is damaged or not what its content says
editor-cover-too-large = Cover must be at most 5 MB
editor-cover-too-many-pixels = Cover must be at most 10,000 pixels wide and high, and 40 megapixels in all

## Someone else's article (403)
forbidden-title = Not yours to edit
forbidden-description = Only an article's author may change it.
forbidden-heading = This article is not yours to edit
forbidden-explanation = Only its author can change or delete an article.
forbidden-write-your-own = Write your own

## /editor/{slug}/delete
delete-title = Delete article
delete-description = Delete an article for good.
delete-heading = Delete this article?
delete-warning = “{ $title }” will be gone for good, with its views and comments. This cannot be undone.
delete-confirm = Delete for good
delete-keep = Keep it

## Comments under an article
comments-heading = Comments
comments-loading = Loading comments…
comments-pages = Comment pages
comments-first = ← First comments
comments-later = Later comments →
comments-unavailable = The comments could not be loaded just now.
comments-none = No comments yet.
comments-delete = Delete comment
comments-sign-in = Sign in to comment
comments-label = Your comment
comments-hint = Up to { $max } characters.
comments-post = Post comment
comments-sign-in-first = Sign in to comment.
comments-too-many =
    { $count ->
        [one] You have commented a lot just now. Please wait { $shown } minute and post it then.
       *[other] You have commented a lot just now. Please wait { $shown } minutes and post it then.
    }
comments-article-gone = This article is no longer published.
comments-failed = We could not post your comment just now; please try again.

## The heart
favorites-count =
    { $count ->
        [one] { $shown } favorite
       *[other] { $shown } favorites
    }
# $favorites is favorites-count.
favorite-sign-in = Sign in to favorite ({ $favorites })
favorite-add = Favorite ({ $favorites })
favorite-remove = Unfavorite ({ $favorites })

## The follow button
follow-button = Follow { $username }
unfollow-button = Unfollow { $username }

# The page a form too large to accept gets.
too-large-title = Too large
too-large-heading = That was too large to send
too-large-limits = Warta accepts up to { $kb } KB at a time, an article body of at most { $article } KB and a cover image of at most 5 MB. Nothing was saved.
too-large-back = Go back with your browser's Back button: your text is still in the form. Shorten it, or split it into two articles, and try again.
too-large-home = Warta home
