# The reading side: the listings, search, tags, articles, authors' pages and
# the pages around them.

## Shared by the listings

reading-loading = Loading…
# Beside a listing's heading from its second page on.
reading-page = page { $page }
# A later page's title: "#rust (page 2)", "ada (page 2)".
reading-title-page = { $title } (page { $page })
reading-past-the-end = There are no more stories past this page.
list-empty = Nothing has been published yet.
list-views =
    { $count ->
        [one] { $shown } view
       *[other] { $shown } views
    }
pager-label = Pages
# A page number's link, for screen readers.
pager-page = Page { $page }
pager-newer = ← Newer stories
pager-older = Older stories →
tags-label = Tags
tags-popular-heading = Popular tags
# A tag's tooltip in the popular tags.
tags-stories-count =
    { $count ->
        [one] { $shown } story
       *[other] { $shown } stories
    }
feed-tabs-label = Listings
feed-tab-latest = Latest
feed-tab-following = Following

## The home page

home-heading = Latest stories
home-title-page = Latest stories, page { $page }
home-description = The latest stories published on Warta.
home-past-the-end = There is no page { $page }: the stories end at page { $pages }.
home-last-page = Go to the last page

## Popular

popular-heading = Popular
popular-title-week = Popular this week
popular-title-month = Popular this month
popular-description = The most-read stories on Warta.
popular-periods-label = Period
period-all = All time
period-week = This week
period-month = This month

## Search

search-heading = Search
search-title = “{ $query }”: search
search-description = Search the stories published on Warta.
search-label = Search stories
search-placeholder = Words, "a phrase", -without
search-button = Search
search-names = Authors and tags
search-authors = Authors
search-tags = Tags
search-searching = Searching…
search-prompt = Type a few words to search the stories.
search-no-results = Nothing matches “{ $query }”.
search-count-one = 1 story
search-count = { $shown } stories, the best first
# The count stopped at its cap.
search-count-capped = { $shown } or more stories, the best first
search-better-matches = ← Better matches
search-more-results = More results →

## A tag's page

tag-description = Stories tagged { $tag } on Warta.

## An article

# Before the author's name.
article-by = By
article-updated = updated { $date }
article-reading-time = { $minutes } min read
article-edit = Edit
article-delete = Delete

## An author's page, their favorites and drafts

author-description = Stories by { $username } on Warta.
author-article-deleted = The article was deleted.
author-lists-label = Lists
author-tab-stories = Stories
author-tab-favorites = Favorites
favorites-title = Favorites of { $username }
favorites-description = Stories { $username } saved on Warta.
favorites-empty = { $username } has not saved any stories yet.
drafts-heading = Your drafts
drafts-private = Only you can see these.
drafts-edited = edited { $date }

## Following

following-title = Following
following-description = Stories by the authors you follow.
following-empty = Nothing here yet. Follow authors from their pages and their new stories show up here.
# A link, followed by following-sign-in-reason.
following-sign-in = Sign in
following-sign-in-reason = to see the stories of the authors you follow.

## Pages that could not be shown

not-found-title = Page not found
not-found-text = We couldn't find what you were looking for. It may have moved or never existed.
not-found-back = Back to the latest stories
error-heading = This page could not be loaded.

## Unsubscribing from an author's emails

unsubscribe-title = Unsubscribe
unsubscribe-question = Stop the emails Warta sends you when { $author } publishes?
unsubscribe-button = Unsubscribe
unsubscribed-title = Unsubscribed
# One paragraph, in six pieces: this, unsubscribed-still-following, a link
# (unsubscribed-following-tab), unsubscribed-follow-again, a link
# (unsubscribed-their-page), unsubscribed-emails-back.
unsubscribed-no-more-emails = You will no longer get an email when { $author } publishes.
unsubscribed-still-following = You still follow them: their stories stay in your
unsubscribed-following-tab = Following
unsubscribed-follow-again = tab, and following them again from
unsubscribed-their-page = their page
unsubscribed-emails-back = turns the emails back on.
unsubscribe-invalid-title = Link not valid
unsubscribe-invalid-heading = This link is not valid
unsubscribe-invalid-text = It may have been cut short, or you no longer follow that author, so there is nothing to stop.
