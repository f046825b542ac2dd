# What forms say about a field they refuse (crate::domain::Invalid). A
# message starts with the field's name; the code capitalizes its first letter.

# Field names, as a message uses them: lower case.
field-username = nama pengguna
field-email = email
field-password = kata sandi
field-current-password = kata sandi saat ini
field-your-password = kata sandi Anda
field-bio = bio
field-image = alamat foto
field-title = judul
field-description = deskripsi
field-body = isi
field-tags = tag
field-language = bahasa
field-reason = alasan
field-note = catatan

# What is wrong; { $field } is one of the names above.
fault-blank = { $field } tidak boleh kosong
fault-too-long = { $field } terlalu panjang (maksimal { $max } karakter)
fault-too-large = { $field } terlalu panjang (maksimal { $max } KB)
fault-too-short = { $field } terlalu pendek (minimal { $min } karakter)
fault-bad-characters = { $field } tidak boleh berisi karakter kontrol atau penimpa arah teks
fault-not-a-name = { $field } hanya boleh berisi huruf, angka, _ dan -
fault-not-an-email = { $field } bukan alamat email yang valid
fault-not-a-web-url = { $field } harus berupa URL http(s)
fault-tag-too-long = { $field } masing-masing maksimal { $max } karakter
fault-not-a-tag = { $field } hanya boleh berisi huruf, angka, _, spasi, dan tanda hubung
fault-too-many-tags = { $field } terlalu banyak (maksimal { $max })
fault-taken = { $field } sudah dipakai
fault-wrong = { $field } salah
fault-too-easy = { $field } terlalu mudah ditebak
fault-not-a-choice = { $field } bukan salah satu pilihan
