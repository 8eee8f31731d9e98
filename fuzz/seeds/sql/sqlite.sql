PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE users (
    id integer PRIMARY KEY,
    full_name TEXT,
    phone TEXT,
    email TEXT,
    inn TEXT,
    snils TEXT,
    birth_date TEXT,
    passport TEXT,
    photo BLOB,
    note TEXT
);
INSERT INTO users VALUES(1,'Иванов Иван Иванович','+7 900 001-23-45','ivan.ivanov@example.ru','771357924606','112-233-445 95','1960-01-03','45 08 123456',X'deadbeef00275c0a1affc328','VIP клиент');
INSERT INTO users VALUES(2,'Петрова Анна Сергеевна','8 (495) 555-01-23','anna.petrova@example.com','771469035740','122-436-486 35','1963-02-05','45 09 131375',NULL,replace('строка1\nстрока2	с табом и \ обратным слэшем','\n',char(10)));
INSERT INTO users VALUES(3,'O''Brien, Pat','+7 900 002-34-56','pat.obrien@example.com','771580146824','132-639-527 59','1966-03-07','45 10 139294',NULL,'quote '' and "dq" and \N literal');
INSERT INTO users VALUES(4,'Сидоров Пётр Петрович','8 (495) 555-02-34','p.sidorov@example.ru','771691257939','142-842-568 65','1969-04-09','45 11 147213',NULL,NULL);
INSERT INTO users VALUES(5,'Кузнецова Мария','+7 900 003-45-67','maria.k@example.ru','771802369091','153-045-609 36','1972-05-11','45 12 155132',NULL,replace('перезвонить на 8 (495) 555-09-87\nпосле 18:00','\n',char(10)));
INSERT INTO users VALUES(6,'Смирнов Алексей','+7 900 004-56-78','a.smirnov@example.com','771913480190','163-248-650 69','1975-06-13','45 13 163051',NULL,'путь C:\Users\smirnov\ и ''кавычки''');
INSERT INTO users VALUES(7,'Попова Елена','8 (495) 555-03-45','e.popova@example.ru','772024591222','173-451-691 75','1978-07-15','45 14 170970',NULL,'tricky ''),('' ; -- not a comment /* nor this */');
INSERT INTO users VALUES(8,'Волков Дмитрий','+7 900 005-67-89','volkov@example.com','772135702354','183-654-732 99','1981-08-17','45 15 178889',NULL,'почта в заметке: d.volkov@example.ru	таб');
INSERT INTO users VALUES(9,'Морозова Ольга','8 (495) 555-04-56','morozova@example.ru','772246813469','193-857-773 39','1984-09-19','45 16 186808',NULL,'');
INSERT INTO users VALUES(10,'Лебедев Сергей','+7 900 006-78-90','lebedev@example.com','772357924573','204-060-814 05','1987-10-21','45 17 194727',NULL,replace(replace('последняя\r\nстрока CRLF','\r',char(13)),'\n',char(10)));
CREATE TABLE calls (
    id integer PRIMARY KEY,
    caller TEXT,
    callee TEXT,
    started_at TEXT,
    duration_sec integer
);
INSERT INTO calls VALUES(1,'+79000012345','84955550123','2024-01-15 10:00:00',65);
INSERT INTO calls VALUES(2,'+79000023456','+79000034567','2024-01-15 10:05:00',0);
INSERT INTO calls VALUES(3,'84955550234','+79000045678','2024-01-15 11:30:00',312);
INSERT INTO calls VALUES(4,'+79000056789','84955550345','2024-01-16 09:00:00',17);
INSERT INTO calls VALUES(5,'+79000067890','+79000012345','2024-01-16 