# What forms say about a field they refuse (crate::domain::Invalid). A
# message starts with the field's name; the code capitalizes its first letter.

# Field names, as a message uses them: lower case.
field-username = username
field-email = email
field-password = password
field-current-password = current password
field-your-password = your password
field-bio = bio
field-image = image
field-title = title
field-description = description
field-body = body
field-tags = tags
field-language = language
field-reason = reason
field-note = note

# What is wrong; { $field } is one of the names above. English repeats the
# JSON API's phrases word for word.
fault-blank = { $field } can't be blank
fault-too-long = { $field } is too long (at most { $max } characters)
fault-too-large = { $field } is too long (at most { $max } KB)
fault-too-short = { $field } is too short (at least { $min } characters)
fault-bad-characters = { $field } may not contain control characters or bidirectional overrides
fault-not-a-name = { $field } may contain only letters, digits, _ and -
fault-not-an-email = { $field } is not an email address
fault-not-a-web-url = { $field } must be an http(s) URL
fault-tag-too-long = { $field } must each be at most { $max } characters
fault-not-a-tag = { $field } may hold only letters, digits, _, spaces and hyphens
fault-too-many-tags = { $field } are too many (at most { $max })
fault-taken = { $field } has already been taken
fault-wrong = { $field } is not right
fault-too-easy = { $field } is too easy to guess
fault-not-a-choice = { $field } is not one of the choices
