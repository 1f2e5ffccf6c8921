"""Where the synthetic people come from: origins that share naming customs, each with its name pools
(listed roughly by frequency) and its traits. ``tools.synthetic_people`` draws from them."""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cached_property
from itertools import accumulate

ZIPF = 0.9  # given names: a few very common (Mohamed, Fatima, Mamadou)
ZIPF_FAMILY = 0.7  # family names are spread more thinly, save a few (Diallo, Hossain, Singh)


class Pool:
    """Names in frequency order; the name of rank r is drawn with weight 1 / r**exponent."""

    def __init__(self, text: str, exponent: float = ZIPF) -> None:
        self.names = tuple(word.replace("_", " ") for word in text.split())
        ranks = range(1, len(self.names) + 1)
        self.cumulative = tuple(accumulate(1 / rank**exponent for rank in ranks))

    def draw(self, rng: random.Random) -> str:
        return rng.choices(self.names, cum_weights=self.cumulative)[0]


@dataclass(frozen=True)
class Traits:
    male: float  # share of men
    placeholder: float  # share registered born on 1 January because the date was unknown
    father: float  # share whose family name is the father's given name
    compound: float  # share with two given names
    double: float  # share with two family names (Spanish custom)


@dataclass(frozen=True)
class Origin:
    """Countries whose people share naming customs."""

    countries: str  # "AF:88:fa+ps": nationality, weight, mother tongues (ISO 639-1)
    hosts: tuple[int, ...]  # weight of this origin among migrants in each of HOSTS
    second_language: str
    traits: Traits
    male: str
    female: str
    family: str
    sex_surnames: tuple[str, str, float] | None = None  # Sikh Singh / Kaur, and how often

    @cached_property
    def pools(self) -> tuple[Pool, Pool, Pool]:
        return Pool(self.male), Pool(self.female), Pool(self.family, ZIPF_FAMILY)

    @cached_property
    def nationalities(self) -> dict[str, tuple[int, list[str]]]:
        fields = (item.split(":") for item in self.countries.split())
        return {code: (int(weight), tongues.split("+")) for code, weight, tongues in fields}


ORIGINS: dict[str, Origin] = {
    "maghreb": Origin(
        countries="MA:55:ar DZ:25:ar TN:20:ar",
        hosts=(15, 25, 35, 2, 2),
        second_language="fr",
        traits=Traits(male=0.62, placeholder=0.02, father=0.0, compound=0.12, double=0.0),
        male="""Mohamed Mohammed Ahmed Youssef Karim Rachid Said Hamza Mehdi Amine Ayoub Omar Bilal
Khalid Abdelkader Abdellah Abderrahim Abdelaziz Mohamad Adil Anas Aziz Brahim Driss Hassan Hicham
Hamid Ismail Jamal Mustapha Mourad Nabil Noureddine Othmane Redouane Samir Soufiane Tarik Yassine
Younes Zakaria Walid Aymane Ilyas Ali Abdelhak Abdelilah Abdeslam Azzedine Bouchaib Lahcen Larbi
Mbarek Miloud Mokhtar Nordine Salah Sofiane Yacine Kamel Farid Djamel Nassim Riad Mounir Fouad
Lotfi Sami Slim Chokri Hichem Wassim Amir Bachir Abdallah Idriss Marouane Oussama Badr Taha Saad
Hakim Reda Zouhair Mohcine Jawad Abderrazak Houssine Achraf Ayman Hatim Nouh Saber Mohammed_Amine
Mohamed_Ali Abdel_Karim""",
        female="""Fatima Khadija Aicha Amina Nadia Samira Malika Naima Zineb Salma Meryem Hanane
Hafsa Imane Karima Latifa Laila Loubna Mounia Nawal Rachida Saida Sanaa Siham Soukaina Wafae
Yasmine Zahra Houda Ikram Asmae Btissam Chaimae Hajar Kenza Nora Ouafae Rajae Sara Souad Widad
Zohra Amel Nesrine Lamia Sabrina Sihem Yamina Dalila Farida Ines Meriem Rim Amira Asma Olfa Sonia
Wafa Nour Hayat Naoual Jamila Assia Fatma Fatima_Zahra Aya Ghizlane Hind Maryam Najat Nisrine
Safae""",
        family="""El_Amrani Benali Alaoui El_Idrissi Bennani Tazi Berrada Chraibi El_Fassi Ouazzani
Bakkali Boukhari Haddad Belkacem Bouzid Benyoucef Mansouri Saidi Hamdi Jaziri Trabelsi Gharbi
Ben_Salah Ben_Ali Ayari Mejri Chaabane Khelifi Brahimi Bouaziz Amrani El_Khattabi Ait_Lahcen
Ait_Ali Ouali Benjelloun Lahlou Sebti Kettani Filali Rahmouni Zerouali El_Hajji Naciri Lamrani
Zniber Kadiri Hamidi Azzouzi El_Ouardi Moussaoui Benkirane Cherkaoui Daoudi Belhaj Boudiaf Benaissa
Hadjadj Meziane Zeroual Djebbar Kaci Ferhat Larbi Touati Cherif Messaoudi Rezki Bensaid Ghanem
Hammami Jendoubi Mabrouk Nasri Riahi Sassi Tlili Zouari Ben_Amor Ben_Youssef Bouslama Chebbi Dridi
Ferchichi Guesmi Hmidi Karray Laabidi Marzouki Oueslati Rekik Slimani Tounsi Zaouali El_Ghazi
Ait_Ouahmane Oubella Aznag Boulahya El_Mansouri Ziani Bouhaddou Aouad Bouchiba Chafik Elbaz Harrak
Jabri Kabbaj Loukili Mernissi Najib Qadiri Raji Sbai Tahiri Yousfi Zahraoui Bouazza Chaoui Dahmani
Ezzahraoui Fassi_Fihri Guerraoui""",
    ),
    "mashreq": Origin(
        countries="EG:30:ar SY:30:ar IQ:15:ar SD:15:ar PS:5:ar LB:5:ar",
        hosts=(8, 3, 8, 20, 25),
        second_language="en",
        traits=Traits(male=0.68, placeholder=0.04, father=0.45, compound=0.08, double=0.0),
        male="""Mohamed Mohammad Ahmed Ahmad Mahmoud Mostafa Mustafa Ali Hassan Hussein Omar Khaled
Khalid Ibrahim Youssef Yousef Abdallah Abdullah Tarek Amr Karim Hany Sherif Walid Waleed Ayman
Hesham Hisham Osama Islam Ramy Sameh Tamer Wael Yasser Ziad Adel Alaa Emad Essam Fady Gamal Hamdy
Magdy Medhat Nader Sayed Sobhy Ashraf Bassel Firas Ghassan Hazem Jihad Majd Maher Nizar Rami Saleh
Samer Zaher Abdulrahman Abdelrahman Anas Haidar Hamza Mazen Mohannad Muhannad Qais Raed Rasheed
Sajjad Zaid Abbas Muntadhar Yassin Husam Louai Bashar Osman Babiker Elfatih Hamid Musa Adam Ismail
Abdelmoneim Mujtaba Nasreldin Mohammed Muhammad Abdel_Rahman Abdul_Karim Mohamed_Ali""",
        female="""Fatma Fatima Mariam Maryam Aya Nour Noor Hala Heba Rana Rania Reem Sara Salma
Shaimaa Yasmin Dina Mona Eman Iman Asmaa Doaa Esraa Hanan Marwa Nada Nahla Samar Amal Ghada Lina
Layla Rasha Rawan Razan Ruba Suha Zeinab Zainab Hiba Safaa Nisreen Amani Duaa Ola Alaa Huda Israa
Sawsan Haifa Widad Aziza Abeer Shahd Lamis Rahaf Bayan Tasneem Aisha Hadeel Jana Joud Malak Nesma
Rahma Sally Yara""",
        family="""El_Sayed Mansour Abdel_Aziz Hassan Ibrahim Mahmoud Saleh Haddad Al_Khatib Khalil
Nasser Said Salem Farouk Shaker Fathy Ghoneim Hegazy Abdelrahman Ramadan Soliman Youssef Al_Ahmad
Al_Hassan Al_Ali Al_Hussein Al_Masri Al_Halabi Al_Shami Hamdan Darwish Qassem Kanaan Barakat Najjar
Sabbagh Hijazi Zoabi Al_Tamimi Al_Jubouri Al_Obeidi Al_Dulaimi Al_Saadi Al_Maliki Al_Rubaie
Al_Shammari Al_Zubaidi Al_Kurdi Omer Osman Elhassan Abdalla Elamin Babiker Eltayeb Abdelrahim Adam
Ismail Musa Yahya Idris Hamid Suliman Daoud Issa Khoury Aboud Asaad Attar Bitar Chami Dabbagh
Fakhoury Helou Jaber Kassab Laham Matar Nassar Rifai Sabbah Tannous Wehbe Yassin Zein Zaher
Abdel_Hamid Abdel_Fattah El_Sherif Mostafa Kamel Hosny Abdo Radwan Shehata Zaki Tawfik Hamza
El_Masry Bakr Shalaby Morsi Hafez""",
    ),
    "west_africa": Origin(
        countries="SN:25:wo ML:20:bm GN:25:ff CI:20:fr BF:5:fr GM:5:wo+ff",
        hosts=(12, 12, 25, 3, 10),
        second_language="fr",
        traits=Traits(male=0.74, placeholder=0.06, father=0.0, compound=0.1, double=0.0),
        male="""Mamadou Moussa Ibrahima Abdoulaye Ousmane Amadou Oumar Boubacar Seydou Souleymane
Modou Lamine Cheikh Ibrahim Alpha Sekou Mohamed Mamadi Lansana Fode Bakary Mahamadou Adama Issa
Yaya Dramane Siaka Karamoko Drissa Alassane Assane Ousseynou Babacar Pape Aliou Saliou Thierno
Tidiane Djibril Abdou Moustapha Mouhamed Mamoudou Samba Demba Malick Cheikhou Ismaila Aboubacar
Sidiki Boureima Hamidou Salif Daouda Lassina Kalilou Mahamoud Madou Bocar Elhadji Idrissa Yacouba
Sory Fousseyni Bafode Sanoussi Abou Sidy Mory Aly Mamadou_Saliou Mamadou_Alpha Ibrahima_Sory
Moussa_Kaba Serigne Omar Aruna Lamin Ebrima Momodou Bubacarr Musa Kebba Alieu Sheriff Yusupha""",
        female="""Aminata Fatoumata Mariama Aissatou Awa Kadiatou Hawa Fanta Mariam Fatou Ndeye
Khady Coumba Aicha Adama Djeneba Oumou Rokia Salimata Bintou Assetou Kadidia Rokhaya Astou Maimouna
Sokhna Mame Dieynaba Binta Mabinty Hadja Nafissatou Safiatou Ramatoulaye Sira Korotoumou Nana Sali
Kany Nene Habibatou Marietou Fatim Aissata Ramata Haby Penda Yacine Seynabou Soda Dior Ngone Maty
Amy Khadidiatou Aby Isatou Fatoumatta Haddy Mariama_Ciré Ndeye_Fatou""",
        family="""Diallo Traore Diop Ndiaye Camara Bah Barry Sow Keita Coulibaly Konate Toure Cisse
Sylla Sy Fall Diouf Gueye Sarr Ba Kane Faye Mbaye Thiam Seck Dieng Diagne Niang Sall Ka Diarra
Sanogo Kone Ouattara Kouyate Sacko Doumbia Dembele Sidibe Sangare Konare Maiga Cissoko Sissoko Tall
Balde Soumah Bangoura Kourouma Conde Kante Fofana Doumbouya Haidara Kaba Sano Soumare Tounkara Dabo
Badji Mane Sane Diatta Bodian Ndour Ndao Mendy Gomis Coly Dieme Tandia Sakho Kebe Drame Bamba Yao
Kouame Konan Kouassi Koffi Ouedraogo Sawadogo Zongo Kabore Compaore Ilboudo Nikiema Jallow Ceesay
Touray Jobe Njie Jammeh Bojang Sanneh Sonko Manneh Darboe Drammeh Fatty Jatta Saidy Marong Diakite
Traoré Touré Cissé Konaté N'Diaye Baldé Dembélé Sidibé Sangaré Diakité""",
    ),
    "nigeria_ghana": Origin(
        countries="NG:75:en+yo+ig+ha GH:25:en+ak+ee",
        hosts=(8, 3, 2, 3, 8),
        second_language="en",
        traits=Traits(male=0.58, placeholder=0.03, father=0.0, compound=0.15, double=0.0),
        male="""Samuel Daniel David Emmanuel Chukwuemeka Emeka Chinedu Obinna Godwin Friday Sunday
Ikenna Uchenna Nnamdi Chidi Oluwaseun Olumide Babatunde Adebayo Peter John Joseph Michael Prince
Victor Stanley Success Lucky Moses Isaac Musa Abubakar Aliyu Bello Sani Usman Yusuf Ibrahim Kwame
Kwabena Kofi Kojo Kwaku Yaw Kwesi Kwadwo Nana Ebenezer Richmond Eric Felix Solomon Abdul Osagie
Efosa Osas Ehis Festus Chibuike Ifeanyi Kelechi Tochukwu Oluwafemi Ayodele Olusegun Tunde Femi
Kayode Taiwo Kehinde Monday Blessing Gabriel Paul Anthony Christian Francis Innocent Augustine
Kingsley""",
        female="""Blessing Precious Joy Gift Favour Mercy Faith Patience Esther Grace Chioma Ngozi
Adaeze Chiamaka Nneka Amaka Ifeoma Chinwe Uche Funmilayo Folake Bukola Yetunde Temitope Olamide
Omolara Adunni Aisha Amina Hauwa Zainab Hadiza Fatima Rukayat Sandra Juliet Happiness Princess
Peace Comfort Gloria Vivian Abena Akosua Ama Adwoa Afua Efua Yaa Akua Esi Adjoa Gifty Mavis
Priscilla Rita Osarugue Eki Stella Mary Elizabeth Deborah Ruth Rebecca""",
        family="""Okafor Okonkwo Eze Nwosu Okeke Obi Nwachukwu Okoro Chukwu Onyeka Adeyemi Adebayo
Ogunleye Olawale Oyelaran Akinola Bello Ibrahim Abdullahi Musa Usman Mohammed Yusuf Aliyu Danjuma
Edeh Ugwu Okoye Agu Ani Anyanwu Azubuike Ezeh Ibe Igwe Iheanacho Mbah Nnadi Nwankwo Obiora Odili
Ogbu Onu Orji Uzor Ogbonna Balogun Bakare Adewale Afolabi Ajayi Alabi Babatunde Fashola Ogundipe
Oladipo Oyewole Osagie Osaghae Igbinedion Omoregie Osayande Edosa Aigbe Ehigiator Mensah Boateng
Owusu Asante Osei Appiah Agyemang Ampofo Acheampong Addo Antwi Bonsu Darko Danso Frimpong Gyamfi
Kyei Nkrumah Ofori Opoku Sarpong Tetteh Quaye Amoah Annan Adjei Emenike Nwafor Chukwuma Ekwueme
Olatunji Adeleke""",
    ),
    "south_asia": Origin(
        countries="BD:55:bn PK:45:ur+pa",
        hosts=(14, 5, 4, 20, 25),
        second_language="en",
        traits=Traits(male=0.82, placeholder=0.05, father=0.0, compound=0.35, double=0.0),
        male="""Md Mohammad Muhammad Mohammed Abdul Rahim Karim Kamal Jamal Rafiq Shafiq Hasan
Hossain Rubel Sohel Shahid Shakil Sumon Rasel Jahangir Alamgir Masud Mizanur Habibur Mahbub Anisur
Aminul Saiful Shariful Rafiqul Monirul Nazrul Mostafizur Ziaur Mahmudul Asif Imran Bilal Faisal
Usman Umar Ali Hamza Adnan Zeeshan Waqas Kashif Naveed Tariq Irfan Imtiaz Asad Arslan Danish Farhan
Haider Junaid Kamran Nadeem Qasim Rizwan Sajid Shahzad Sohail Talha Waseem Yasir Zubair Babar
Ghulam Akbar Aslam Iqbal Javed Khurram Nasir Pervez Rashid Sarfraz Shoaib Azhar Mamun Liton Jewel
Shamim Mofizul""",
        female="""Fatema Fatima Nasrin Shirin Ayesha Aisha Sumaiya Taslima Rokeya Shahnaz Nazma
Salma Jesmin Rina Mousumi Sharmin Farzana Sadia Tania Mitu Rabeya Khadija Ruma Sabina Shapla Parvin
Hasina Momtaz Sultana Nusrat Sana Hina Saima Amna Bushra Iqra Mehwish Nadia Rabia Rukhsana Samina
Shazia Uzma Zainab Zara Maryam Kiran Noreen Asma""",
        family="""Hossain Islam Rahman Uddin Ahmed Alam Miah Khan Chowdhury Sarker Sheikh Akter
Begum Khatun Haque Hoque Kabir Karim Mollah Munshi Biswas Talukder Bhuiyan Mondal Howlader Sikder
Patwary Majumder Bepari Sarder Ali Hasan Rana Hosen Hussain Mia Akther Butt Malik Chaudhry Qureshi
Shah Iqbal Raza Mirza Abbasi Awan Baig Bhatti Chaudhary Cheema Farooq Gondal Gujjar Hashmi Javed
Jutt Kazmi Khokhar Mughal Naqvi Rajput Rehman Siddiqui Tariq Warraich Zaidi Akhtar Anwar Aslam
Bashir Hameed Latif Masood Nawaz Rafiq Rasheed Saleem Younas""",
    ),
    "punjab": Origin(
        countries="IN:100:pa+hi",
        hosts=(5, 1, 1, 2, 5),
        second_language="en",
        traits=Traits(male=0.6, placeholder=0.03, father=0.0, compound=0.0, double=0.0),
        sex_surnames=("Singh", "Kaur", 0.6),
        male="""Gurpreet Harpreet Manpreet Jaspreet Gurwinder Harjit Jaswinder Kulwinder Sukhwinder
Paramjit Balwinder Rajinder Amarjit Lakhwinder Sandeep Rajesh Sunil Amit Vikram Rohit Gurdeep
Harminder Jagdeep Kuldeep Mandeep Navdeep Parminder Ranjit Satnam Sukhdev Tarsem Baljit Davinder
Gurjit Inderjit Jatinder Karamjit Malkit Narinder Pargat Ravinder Sarabjit Surinder Talwinder
Varinder Yadwinder""",
        female="""Harpreet Manpreet Jaspreet Gurpreet Amandeep Kamaljit Rajwinder Sukhjit Paramjit
Navneet Simran Harjeet Kulwant Baljinder Jasbir Gurmeet Manjit Rupinder Sarbjit Sukhpreet Priya
Pooja Neha Anjali Sunita Rekha Kiran Komal""",
        family="""Singh Kaur Kumar Sharma Sidhu Sandhu Gill Dhillon Grewal Brar Bains Mann Virk
Randhawa Cheema Bajwa Kang Johal Chahal Dhaliwal Saini Verma""",
    ),
    "afghan": Origin(
        countries="AF:88:fa+ps IR:12:fa",
        hosts=(3, 1, 7, 30, 8),
        second_language="en",
        traits=Traits(male=0.8, placeholder=0.3, father=0.25, compound=0.15, double=0.0),
        male="""Mohammad Ahmad Ali Abdul Mahmood Hamid Rahim Karim Jawad Javid Mustafa Murtaza
Sajjad Hussain Hossein Reza Ali_Reza Mohammad_Reza Amir Farhad Farid Fawad Ghulam Gul_Ahmad Habib
Hamidullah Hayatullah Hekmatullah Ibrahim Idris Ismail Jamshid Khalid Mansoor Masoud Mehdi Mirwais
Mujtaba Nasir Nawid Noor Omid Qasim Rahmatullah Rashid Sadiq Safiullah Samiullah Shafiq Shahid
Sharif Sohrab Sultan Wahid Yama Zabihullah Zakir Zia Zubair Naqibullah Asadullah Ehsanullah
Enayatullah Farshid Ramin Parviz Behrouz Dawood Ezatullah Abdul_Rahman Abdul_Ghafar Abdul_Wahid
Abdul_Basir Gul_Agha Shir_Mohammad Nazir Bashir Jalil Jamil Muhammad Mohammed Hasan Yusuf Ahmed""",
        female="""Fatima Zahra Maryam Masooma Zainab Marzia Mahbooba Nargis Parwana Roya Shabnam
Shakila Sima Soraya Tahmina Zohra Zarghona Gulalai Hosai Laila Malalai Nazanin Nilofar Frishta
Freshta Homa Habiba Khadija Latifa Mina Mursal Nadia Najiba Negina Parisa Rahima Sakina Samira
Shirin Sultana Tamana Wahida Yasamin Mahnaz Farzana Fereshteh""",
        family="""Ahmadi Mohammadi Hosseini Hussaini Rahimi Karimi Rezaei Jafari Sadat Haidari
Amiri Azizi Noori Nazari Rasuli Sharifi Hashimi Habibi Hakimi Jalali Rahmani Safi Sultani Qaderi
Popal Durrani Barakzai Ahmadzai Stanikzai Sherzad Wardak Zazai Mangal Khan Momand Nuristani Alizada
Hassanzada Mohammadzada Rezai Yousufi Wahidi Samadi Sadiqi Rashidi Qurbani Najafi Kazemi Ghafari
Faizi Ebrahimi Danishyar Bakhtiari Akbari Anwari Baheer Farahmand Ghani Habibzada Jahid Kohistani
Latifi Mirzaei Naderi Omari Panjshiri Rahimzada Salehi Tahiri Yaqubi Zaheer Sediqi Niazi Kakar
Achakzai Noorzai""",
    ),
    "ukraine": Origin(
        countries="UA:100:uk+ru",
        hosts=(15, 12, 6, 8, 7),
        second_language="en",
        traits=Traits(male=0.32, placeholder=0.0, father=0.0, compound=0.0, double=0.0),
        male="""Oleksandr Andrii Serhii Dmytro Volodymyr Mykola Ivan Vasyl Yurii Oleh Viktor Petro
Pavlo Maksym Artem Denys Vitalii Roman Taras Bohdan Ihor Yevhen Anatolii Vadym Ruslan Mykhailo
Stepan Valerii Kostiantyn Vladyslav Illia Nazar Danylo Yaroslav Rostyslav Hennadii Leonid Borys
Arsen Anton Kyrylo Semen Fedir Hryhorii Tymofii Eduard Oleksii Valentyn Myroslav Ostap""",
        female="""Olena Nataliia Iryna Tetiana Svitlana Oksana Yuliia Kateryna Olha Mariia Anna
Liudmyla Halyna Viktoriia Alina Anastasiia Valentyna Larysa Nadiia Inna Tamara Liliia Khrystyna
Sofiia Daria Yana Oleksandra Ivanna Vira Lesia Zoriana Diana Marharyta Polina Veronika Hanna Alla
Zhanna Liubov Raisa Nina Maryna Uliana Solomiia Myroslava Natalia Tatiana Yulia Irina Elena""",
        family="""Kovalenko Bondarenko Tkachenko Shevchenko Kravchenko Koval Boiko Melnyk Moroz
Lysenko Marchenko Savchenko Rudenko Kovalchuk Bondar Tkachuk Oliinyk Shevchuk Polishchuk Kravchuk
Kozak Pavlenko Petrenko Ponomarenko Klymenko Levchenko Kharchenko Karpenko Vasylenko Sydorenko
Havrylenko Ivanenko Zinchenko Yurchenko Mazur Moskalenko Romanenko Hrytsenko Yakovenko Kuzmenko
Ostapenko Nazarenko Fedorenko Mykhailenko Danylenko Horbenko Babenko Tymoshenko Kostenko Kolesnyk
Lytvynenko Lytvyn Honchar Voloshyn Kovtun Hnatiuk Martyniuk Savchuk Romaniuk Stepaniuk Vasyliuk
Humeniuk Kushnir Semeniuk Fedoriuk Dmytruk Ivaniuk Prokopenko Sheremet Demchenko Shapoval
Tereshchenko Zaiets Vovk Bilyk Dovhan Hrebeniuk Zhuk Hladkyi Kovalev Bondarenco Pylypenko
Hordiienko Chornovol""",
    ),
    "latam": Origin(
        countries="CO:25:es VE:20:es PE:15:es EC:10:es HN:10:es BO:5:es PY:5:es DO:5:es AR:5:es",
        hosts=(8, 35, 4, 1, 1),
        second_language="en",
        traits=Traits(male=0.45, placeholder=0.0, father=0.0, compound=0.35, double=0.8),
        male="""José Juan Luis Carlos Jorge Miguel Ángel Pedro Jesús Manuel Antonio Francisco David
Daniel Andrés Alejandro Fernando Ricardo Eduardo Javier Diego Sebastián Santiago Mateo Nicolás
Camilo Felipe Julián Óscar Wilmer Jhon Edwin Wilson Fredy Jairo Hernán Víctor Raúl Rafael Héctor
Mario Alberto Gustavo Enrique Roberto Sergio Cristian Kevin Brayan Anderson Jefferson Yeison Alexis
Ronald Henry Elmer Marco Rubén Franklin Pablo Gabriel Samuel Emilio Tomás Rodrigo Esteban Mauricio
Orlando""",
        female="""María Ana Luz Carmen Rosa Martha Gloria Sandra Claudia Patricia Diana Paola
Andrea Carolina Daniela Valentina Camila Natalia Laura Alejandra Mariana Gabriela Jennifer Yesenia
Yuliana Leidy Johana Katherine Viviana Lorena Adriana Mónica Liliana Milagros Rocío Elena Isabel
Lucía Fernanda Juliana Paula Stefany Yolanda Nelly Dayana Karina Ximena Guadalupe Marina Beatriz
Teresa Sofía""",
        family="""García Rodríguez Martínez López González Hernández Pérez Sánchez Ramírez Torres
Flores Rivera Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Castillo Jiménez Vargas Rojas Romero
Mendoza Ruiz Álvarez Castro Herrera Medina Aguilar Chávez Moreno Vásquez Ramos Suárez Muñoz Guzmán
Salazar Delgado Quispe Mamani Condori Huamán Choque Cárdenas Silva Núñez Peña Rincón Ospina Cardona
Arango Restrepo Giraldo Osorio Zapata Londoño Mejía Valencia Montoya Bermúdez Paredes Espinoza
Contreras Figueroa Navarro Molina Cabrera Campos Vega Sandoval Cortés Benítez Acosta León Fuentes
Carrillo Lozano Rosales Valdez Ayala Ibarra Pineda Maldonado Zambrano Villalobos Escobar Bravo
Cedeño Alvarado Barrios Duarte Palacios Quintero Bustamante Cáceres Solís Pacheco Marín Arias
Correa Franco Henao""",
    ),
    "albania": Origin(
        countries="AL:100:sq",
        hosts=(10, 1, 2, 25, 3),
        second_language="it",
        traits=Traits(male=0.55, placeholder=0.0, father=0.0, compound=0.0, double=0.0),
        male="""Arben Besnik Driton Ermal Fatmir Gentian Ilir Klodian Luan Mirjan Olsi Petrit Redon
Sokol Valon Erion Artan Bledar Dritan Edmond Eltion Endrit Kristi Marsel Renaldo Alban Arjan Elton
Fation Gazmend Agron Albert Altin Andi Ardit Armand Astrit Bekim Blendi Dashamir Denis Elvis Enver
Erjon Fatos Flamur Genci Gjergj Ilirjan Jetmir Klevis Kujtim Lulzim Mentor Nertil Orges Rexhep
Saimir Shpetim Taulant Xhevdet Ylli Zamir""",
        female="""Anisa Arta Besa Blerta Brunilda Elona Entela Ermira Fatjona Ilda Jonida Klea
Kristina Lindita Mirela Rovena Valbona Xhesika Adelina Alketa Anila Arjola Aurora Bora Dorina
Eglantina Elda Elira Enkeleda Erisa Etleva Evis Flutura Gentiana Greta Irena Juliana Kejsi Lediana
Lule Majlinda Marsela Nertila Orjona Rudina Sidorela Silvana Suela Teuta Vjollca Xhulja Ina Era
Dea""",
        family="""Hoxha Shehu Dervishi Kola Leka Gjoka Krasniqi Berisha Gashi Prifti Dedja Marku
Lika Hysa Cela Rama Basha Shkodra Brahimi Murati Beqiri Ismaili Kastrati Zeka Meta Hasani Bajrami
Bardhi Bushati Cani Dushku Duka Gjini Gjoni Halili Hajdari Kapllani Kelmendi Koci Kurti Lala Llazi
Mema Mullaj Musaj Ndreu Nika Pepa Qosja Rexha Sadiku Selimi Sula Tafa Toska Vata Xhafa Zenelaj
Bregu Dibra Gjika Hoti Kuci Lleshi Mustafa Noka Pjetri Shala Tahiri Ymeri""",
    ),
}
