# Accounts: registering, signing in and out, settings, and what their forms
# say when the server refuses or fails them.

## Field labels
account-username = Nama pengguna
account-email = Email
account-password = Kata sandi

## /register
register-title = Buat akun
register-description = Bergabunglah dengan Warta untuk menerbitkan tulisan Anda.
register-username-hint = Huruf, angka, _ dan -; maksimal { $max }.
register-password-hint = { $min } sampai { $max } karakter, bukan kata sandi umum atau nama Anda sendiri.
register-submit = Buat akun
register-have-account = Sudah punya akun?
register-sign-in = Masuk

## /login
sign-in-title = Masuk
sign-in-description = Masuk ke Warta.
sign-in-submit = Masuk
sign-in-new-here = Baru di sini?
sign-in-register = Buat akun
sign-in-no-match = Email dan kata sandi itu tidak cocok dengan akun mana pun.
sign-in-suspended = Akun ini ditangguhkan oleh moderator. Akun ini tidak dapat masuk sampai mereka memulihkannya.

## /settings
settings-title = Pengaturan
settings-description = Profil dan akun Warta Anda.
settings-loading = Memuat…
settings-saved = Pengaturan Anda sudah disimpan.
settings-signed-out = Semua sesi dan token API lain di akun Anda sudah diakhiri.
settings-bio = Bio
settings-bio-hint = Maksimal { $max } karakter, ditampilkan di halaman Anda.
settings-image = URL foto
settings-image-hint = Alamat https:// foto diri Anda.
settings-new-password = Kata sandi baru
settings-new-password-hint = Kosongkan untuk tetap memakai kata sandi lama; { $min } sampai { $max } karakter.
settings-current-password = Kata sandi saat ini
settings-current-password-hint = Diperlukan untuk mengubah email atau kata sandi.
settings-email-language = Bahasa email
settings-email-language-hint = Saat penulis yang Anda ikuti menerbitkan tulisan, emailnya dikirim dalam bahasa ini.
settings-submit = Simpan pengaturan
settings-sessions = Sesi
settings-sessions-intro = Akun Anda masuk di tempat yang tidak semestinya? Tombol ini mengakhiri semua sesi dan token API lain di akun Anda; Anda tetap masuk di sini. Mengubah email atau kata sandi juga berdampak sama.
settings-your-password = Kata sandi Anda
settings-your-password-hint = Untuk memastikan ini memang Anda.
settings-sign-out-everywhere = Keluar dari semua sesi lain
settings-current-password-needed = Kata sandi saat ini diperlukan untuk mengubah email atau kata sandi
settings-your-password-needed = Kata sandi Anda diperlukan untuk keluar dari semua sesi lain
settings-session-lost = Semua sesi lain sudah diakhiri, tetapi sesi ini tidak dapat dipertahankan; silakan masuk lagi.

## When the server cannot do what an account form asks
account-busy = Warta sedang sibuk melayani orang lain yang masuk. Silakan coba lagi dalam beberapa detik.
account-sessions-unavailable = Sesi sedang tidak tersedia; silakan coba lagi.
account-gone = Akun Anda sudah tidak ada.
account-limits-unavailable = Warta belum dapat menghitung percobaan masuk saat ini. Silakan coba lagi dalam beberapa detik.
account-too-many = Terlalu banyak percobaan. Silakan tunggu { $shown } menit lalu coba lagi.
too-many-heading = Terlalu banyak percobaan
too-many-back = Kembali ke Warta
account-register-failed = Akun Anda belum dapat dibuat saat ini; silakan coba lagi.
account-sign-in-failed = Anda belum dapat masuk saat ini; silakan coba lagi.
settings-save-failed = Pengaturan Anda belum dapat disimpan saat ini; silakan coba lagi.
settings-credentials-failed = Email atau kata sandi Anda belum dapat diubah saat ini; silakan coba lagi.
settings-sign-out-elsewhere-failed = Sesi lain belum dapat diakhiri saat ini; silakan coba lagi.
settings-sign-out-everywhere-failed = Semua sesi Anda belum dapat diakhiri saat ini; silakan coba lagi.

## Any form whose call fails on the way (crate::auth::FormError)
form-unreachable = Warta tidak dapat dihubungi; periksa koneksi Anda lalu coba lagi.
form-unreadable = Formulir ini tidak dapat dibaca; muat ulang halaman lalu coba lagi.
form-failed = Terjadi kesalahan di pihak kami; silakan coba lagi.

## Any page whose data could not be loaded (crate::error::AppError)
app-error-not-found = tidak ditemukan
app-error-forbidden = Anda tidak berhak mengubah ini
app-error-internal = terjadi kesalahan di pihak kami; silakan coba lagi
app-error-busy = Warta sedang sibuk; silakan coba lagi sebentar lagi
app-error-too-slow = ini terlalu lama; silakan minta sesuatu yang lebih sempit
app-error-too-many = Terlalu banyak permintaan. Silakan tunggu { $shown } menit lalu coba lagi.
# The call's own error is technical English: said plainly instead.
app-error-call = Permintaan ke Warta gagal; periksa koneksi Anda lalu coba lagi.
