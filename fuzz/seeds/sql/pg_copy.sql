--
-- PostgreSQL database dump
--

\restrict W3H8x5Eg7QMiIoCNy2pxvpcvaxJT9hIYBPCeIeWrE9j6NlXUokbSe5GFNCJXGA9

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: calls; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.calls (
    id integer NOT NULL,
    caller text,
    callee text,
    started_at timestamp without time zone,
    duration_sec integer
);


ALTER TABLE public.calls OWNER TO postgres;

--
-- Name: users; Type: TABLE; Schema: public; Owner: postgres
--

CREATE TABLE public.users (
    id integer NOT NULL,
    full_name text,
    phone text,
    email text,
    inn text,
    snils text,
    birth_date date,
    passport text,
    photo bytea,
    note text
);


ALTER TABLE public.users OWNER TO postgres;

--
-- Data for Name: calls; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.calls (id, caller, callee, started_at, duration_sec) FROM stdin;
1	+79000012345	84955550123	2024-01-15 10:00:00	65
2	+79000023456	+79000034567	2024-01-15 10:05:00	0
3	84955550234	+79000045678	2024-01-15 11:30:00	312
4	+79000056789	84955550345	2024-01-16 09:00:00	17
5	+79000067890	+79000012345	2024-01-16 12:45:00	1200
6	84955550456	+79000023456	2024-01-17 18:20:00	44
\.


--
-- Data for Name: users; Type: TABLE DATA; Schema: public; Owner: postgres
--

COPY public.users (id, full_name, phone, email, inn, snils, birth_date, passport, photo, note) FROM stdin;
1	Иванов Иван Иванович	+7 900 001-23-45	ivan.ivanov@example.ru	771357924606	112-233-445 95	1960-01-03	45 08 123456	\\xdeadbeef00275c0a1affc328	VIP клиент
2	Петрова Анна Сергеевна	8 (495) 555-01-23	anna.petrova@example.com	771469035740	122-436-486 35	1963-02-05	45 09 131375	\N	строка1\nстрока2\tс табом и \\ обратным слэшем
3	O'Brien, Pat	+7 900 002-34-56	pat.obrien@example.com	771580146824	132-639-527 59	1966-03-07	45 10 139294	\N	quote ' and "dq" and \\N literal
4	Сидоров Пётр Петрович	8 (495) 555-02-34	p.sidorov@example.ru	771691257939	142-842-568 65	1969-04-09	45 11 147213	\N	\N
5	Кузнецова Мария	+7 900 003-45-67	maria.k@example.ru	771802369091	153-045-609 36	1972-05-11	45 12 155132	\N	перезвонить на 8 (495) 555-09-87\nпосле 18:00
6	Смирнов Алексей	+7 900 004-56-78	a.smirnov@example.com	771913480190	163-248-650 69	1975-06-13	45 13 163051	\N	путь C:\\Users\\smirnov\\ и 'кавычки'
7	Попова Елена	8 (495) 555-03-45	e.popova@ex